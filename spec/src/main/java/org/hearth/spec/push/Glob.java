package org.hearth.spec.push;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A glob pattern (spec: appendices, "Glob-style matching": {@code *} matches zero or more characters,
 * {@code ?} exactly one; everything else is literal), compiled once when the rule is read.
 *
 * <p>Matching is case-insensitive by Unicode simple case folding per code point, which the spec leaves to the
 * homeserver ("The exact meaning of case insensitive is defined by the implementation").
 *
 * <p>Not a regex: patterns come from users and run on every event, and a backtracking regex such as
 * {@code a.*a.*a.*b} takes time polynomial in the body with the number of stars as exponent. Splitting the
 * pattern on {@code *} and placing each piece at its leftmost possible position is exact for globs and costs
 * at most (body length x pattern length).
 */
public final class Glob {
    private static final int ANY = -1; // a ? in a segment

    private final String text;
    // The pattern split on '*': the first and last segments are anchored, the middle ones float.
    private final int[][] segments;

    private Glob(String text, int[][] segments) {
        this.text = text;
        this.segments = segments;
    }

    /** Compiles {@code pattern}; every character but {@code *} and {@code ?} matches itself. */
    public static Glob of(String pattern) {
        List<int[]> segments = new ArrayList<>();
        List<Integer> current = new ArrayList<>();
        pattern.codePoints().forEach(cp -> {
            if (cp == '*') {
                segments.add(toArray(current));
                current.clear();
            } else {
                current.add(cp == '?' ? ANY : fold(cp));
            }
        });
        segments.add(toArray(current));
        return new Glob(pattern, segments.toArray(int[][]::new));
    }

    /** A pattern matching {@code text} literally, {@code *} and {@code ?} included (for display names). */
    public static Glob literal(String text) {
        return new Glob(text, new int[][] {text.codePoints().map(Glob::fold).toArray()});
    }

    /** The pattern as written. */
    public String text() {
        return text;
    }

    /** Whether the pattern matches all of {@code value} (spec: {@code event_match}). */
    public boolean matchesWhole(String value) {
        int[] first = segments[0];
        if (segments.length == 1) {
            // Most patterns (event types, msgtypes) have no star: compared in place, nothing allocated, since
            // this runs for every rule, member and event.
            return matchesWholeLiteral(first, value);
        }
        int[] v = folded(value);
        if (!matchesAt(first, v, 0)) {
            return false;
        }
        int pos = afterMiddle(v, first.length);
        int[] last = segments[segments.length - 1];
        return pos >= 0 && v.length - last.length >= pos && matchesAt(last, v, v.length - last.length);
    }

    /**
     * Whether the pattern matches some substring of {@code value} that starts and ends at a word boundary
     * (spec: content rules, and {@code event_match} on {@code content.body}): the start or end of the value,
     * or a character not in {@code [A-Z]}, {@code [a-z]}, {@code [0-9]} or {@code _}.
     */
    public boolean matchesWords(String value) {
        int[] raw = value.codePoints().toArray();
        int[] v = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            v[i] = fold(raw[i]);
        }
        int n = v.length;
        int[] first = segments[0];
        if (segments.length == 1) {
            for (int s = 0; s + first.length <= n; s++) {
                if (startsWord(raw, s) && endsWord(raw, s + first.length) && matchesAt(first, v, s)) {
                    return true;
                }
            }
            return false;
        }
        // The earliest start is best: the pieces after it can then only sit at the same places or earlier.
        int start = -1;
        for (int s = 0; s + first.length <= n && start < 0; s++) {
            if (startsWord(raw, s) && matchesAt(first, v, s)) {
                start = s;
            }
        }
        if (start < 0) {
            return false;
        }
        int pos = afterMiddle(v, start + first.length);
        if (pos < 0) {
            return false;
        }
        int[] last = segments[segments.length - 1];
        for (int j = pos; j + last.length <= n; j++) {
            if (endsWord(raw, j + last.length) && matchesAt(last, v, j)) {
                return true;
            }
        }
        return false;
    }

    // Places each middle segment at its leftmost position from pos; the position after the last, or -1.
    private int afterMiddle(int[] v, int pos) {
        for (int i = 1; i < segments.length - 1; i++) {
            int[] seg = segments[i];
            int at = -1;
            for (int j = pos; j + seg.length <= v.length; j++) {
                if (matchesAt(seg, v, j)) {
                    at = j;
                    break;
                }
            }
            if (at < 0) {
                return -1;
            }
            pos = at + seg.length;
        }
        return pos;
    }

    private static boolean matchesWholeLiteral(int[] segment, String value) {
        int i = 0;
        int at = 0;
        while (at < value.length()) {
            if (i == segment.length) {
                return false;
            }
            int cp = value.codePointAt(at);
            if (segment[i] != ANY && segment[i] != fold(cp)) {
                return false;
            }
            i++;
            at += Character.charCount(cp);
        }
        return i == segment.length;
    }

    private static int[] folded(String value) {
        int[] out = new int[value.codePointCount(0, value.length())];
        for (int at = 0, i = 0; at < value.length(); i++) {
            int cp = value.codePointAt(at);
            out[i] = fold(cp);
            at += Character.charCount(cp);
        }
        return out;
    }

    private static boolean matchesAt(int[] segment, int[] v, int at) {
        if (at < 0 || at + segment.length > v.length) {
            return false;
        }
        for (int i = 0; i < segment.length; i++) {
            if (segment[i] != ANY && segment[i] != v[at + i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWord(int[] raw, int at) {
        return at == 0 || !isWordChar(raw[at - 1]);
    }

    private static boolean endsWord(int[] raw, int at) {
        return at == raw.length || !isWordChar(raw[at]);
    }

    private static boolean isWordChar(int cp) {
        return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') || cp == '_';
    }

    // The folding java.util.regex uses for CASE_INSENSITIVE | UNICODE_CASE.
    private static int fold(int cp) {
        if (cp < 128) {
            return cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp;
        }
        return Character.toLowerCase(Character.toUpperCase(cp));
    }

    private static int[] toArray(List<Integer> cps) {
        return cps.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Glob g && g.text.equals(text) && Arrays.deepEquals(g.segments, segments);
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
