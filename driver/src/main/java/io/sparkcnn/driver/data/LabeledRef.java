package io.sparkcnn.driver.data;

/** Something with a class label, as the splitter sees it. */
public interface LabeledRef {
    int label();
}
