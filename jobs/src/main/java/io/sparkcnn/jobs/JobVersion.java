package io.sparkcnn.jobs;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The --version line of every job: "sparkcnn predict 0.1.0-SNAPSHOT", naming the command it is attached to
 * (picocli injects that command's spec), the same started on its own or under the sparkcnn command.
 */
final class JobVersion implements CommandLine.IVersionProvider {
    /** Written by the build (resource filtering), so the version is known in tests too, not only in the jar. */
    static final String RESOURCE = "version.properties";

    @CommandLine.Spec
    CommandSpec spec;

    @Override
    public String[] getVersion() {
        String command = spec.qualifiedName(" ");
        return new String[] {(command.startsWith("sparkcnn") ? "" : "sparkcnn ") + command + " " + version()};
    }

    /** The project version the jobs were built as, or "dev" when the build did not write it. */
    static String version() {
        try (InputStream in = JobVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return "dev";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "");
            return v.isEmpty() || v.startsWith("${") ? "dev" : v;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
