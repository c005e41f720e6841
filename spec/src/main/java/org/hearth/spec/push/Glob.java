package org.hearth.spec.push;

import java.util.regex.Pattern;

/**
 * A glob pattern (spec: appendices, "Glob-style matching": {@code *} matches zero or more characters,
 * {@code ?} exactly one; everything else is literal), compiled once when the rule is read.
 *
 * <p>Matching is case-insensitive (Unicode case folding), which the spec leaves to the homeserver.
 */
public final class Glob {
    // Spec, "Push Rules", content rules: a word boundary is the start or end of the value, or any
    // character not in [A-Z], [a-z], [0-9] or _. Java's \b and \w differ (they know Unicode letters).
    private static final String WORD_START = "(?<![A-Za-z0-9_])";
    private static final String WORD_END = "(?![A-Za-z0-9_])";
    private static final int FLAGS = Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL;

    private final String text;
    private final Pattern whole;
    private final Pattern words;

    private Glob(String text, String regex) {
        this.text = text;
        this.whole = Pattern.compile(regex, FLAGS);
        this.words = Pattern.compile(WORD_START + "(?:" + regex + ")" + WORD_END, FLAGS);
    }

    /** Compiles {@code pattern}; every character but {@code *} and {@code ?} matches itself. */
    public static Glob of(String pattern) {
        return new Glob(pattern, toRegex(pattern, true));
    }

    /** A pattern matching {@code text} literally, {@code *} and {@code ?} included (for display names). */
    public static Glob literal(String text) {
        return new Glob(text, toRegex(text, false));
    }

    private static String toRegex(String pattern, boolean wildcards) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        // Code points, so that ? matches one character even outside the BMP.
        pattern.codePoints().forEach(cp -> {
            if (wildcards && (cp == '*' || cp == '?')) {
                if (!literal.isEmpty()) {
                    regex.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                regex.append(cp == '*' ? ".*" : ".");
            } else {
                literal.appendCodePoint(cp);
            }
        });
        if (!literal.isEmpty()) {
            regex.append(Pattern.quote(literal.toString()));
        }
        return regex.toString();
    }

    /** The pattern as written. */
    public String text() {
        return text;
    }

    /** Whether the pattern matches all of {@code value} (spec: {@code event_match}). */
    public boolean matchesWhole(String value) {
        return whole.matcher(value).matches();
    }

    /**
     * Whether the pattern matches some substring of {@code value} that starts and ends at a word boundary
     * (spec: content rules, and {@code event_match} on {@code content.body}).
     */
    public boolean matchesWords(String value) {
        return words.matcher(value).find();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Glob g && g.text.equals(text) && g.whole.pattern().equals(whole.pattern());
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
