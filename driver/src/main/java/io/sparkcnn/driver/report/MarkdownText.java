package io.sparkcnn.driver.report;

/**
 * Puts text that comes from the user's files (class folder names, paths, run names) into report.md as inert
 * text: a class folder named {@code <img src=x onerror=alert(1)>} or {@code [a](javascript:alert(1))} must not
 * become HTML or a link in a Markdown viewer.
 */
public final class MarkdownText {
    /** Inline Markdown punctuation: emphasis, code, links and images, tables, strikethrough, escapes. */
    private static final String PUNCTUATION = "\\`*_[]()!|~#";

    private MarkdownText() {
    }

    /**
     * Text for running prose or a table cell. Line breaks are folded into spaces, so a value never starts a
     * line (no heading, list or table row of its own); inline punctuation is backslash-escaped, which also
     * breaks link syntax; {@code < > &} become entities, so neither raw HTML nor an autolink survives.
     */
    public static String text(String value) {
        if (value == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(value.length() + 16);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\n', '\r' -> out.append(' ');
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                default -> {
                    if (PUNCTUATION.indexOf(c) >= 0) {
                        out.append('\\');
                    }
                    out.append(c);
                }
            }
        }
        return out.toString();
    }

    /**
     * An inline code span holding {@code value} verbatim (Markdown does not interpret code spans): fenced with
     * one backtick more than the longest run inside it, padded when it starts or ends with a backtick.
     */
    public static String code(String value) {
        String v = value == null ? "" : value.replace('\n', ' ').replace('\r', ' ');
        int longest = 0;
        int run = 0;
        for (int i = 0; i < v.length(); i++) {
            run = v.charAt(i) == '`' ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        String fence = "`".repeat(longest + 1);
        String pad = v.startsWith("`") || v.endsWith("`") ? " " : "";
        return fence + pad + v + pad + fence;
    }
}
