package io.sparkcnn.workers;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Puts DL4J's helpers system property ({@link LayerHelpers#DISABLE_PROPERTY}) back as it was before the test class
 * ran, set or unset: the tests switch it to build networks with and without helpers, and the JVM is shared.
 */
public final class RestoresHelpersProperty implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RestoresHelpersProperty.class);
    private static final String UNSET = "<unset>";

    @Override
    public void beforeAll(ExtensionContext context) {
        String before = System.getProperty(LayerHelpers.DISABLE_PROPERTY);
        context.getStore(NAMESPACE).put(LayerHelpers.DISABLE_PROPERTY, before == null ? UNSET : before);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        String before = context.getStore(NAMESPACE).get(LayerHelpers.DISABLE_PROPERTY, String.class);
        if (before == null || before.equals(UNSET)) {
            System.clearProperty(LayerHelpers.DISABLE_PROPERTY);
        } else {
            System.setProperty(LayerHelpers.DISABLE_PROPERTY, before);
        }
    }
}
