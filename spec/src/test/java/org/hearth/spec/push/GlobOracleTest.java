package org.hearth.spec.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Checks {@link Glob} against a regex reading of the spec on random inputs, and that it stays fast. */
class GlobOracleTest {
    private static final int FLAGS = Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL;

    private static String regex(String glob) {
        StringBuilder r = new StringBuilder();
        glob.codePoints().forEach(cp -> r.append(switch (cp) {
            case '*' -> ".*";
            case '?' -> ".";
            default -> Pattern.quote(Character.toString(cp));
        }));
        return r.toString();
    }

    private static boolean oracleWhole(String glob, String value) {
        return Pattern.compile(regex(glob), FLAGS).matcher(value).matches();
    }

    private static boolean oracleWords(String glob, String value) {
        return Pattern.compile("(?<![A-Za-z0-9_])(?:" + regex(glob) + ")(?![A-Za-z0-9_])", FLAGS)
                .matcher(value).find();
    }

    private static String random(Random rnd, String alphabet, int maxLength) {
        int[] cps = alphabet.codePoints().toArray();
        StringBuilder b = new StringBuilder();
        for (int i = rnd.nextInt(maxLength + 1); i > 0; i--) {
            b.appendCodePoint(cps[rnd.nextInt(cps.length)]);
        }
        return b.toString();
    }

    @Test
    void agreesWithTheRegexReadingOnRandomInputs() {
        Random rnd = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            String glob = random(rnd, "aAb-_ *?é😀.", 6);
            String value = random(rnd, "aAbB- _é😀.x", 10);
            Glob g = Glob.of(glob);
            assertEquals(oracleWhole(glob, value), g.matchesWhole(value), () -> "whole " + glob + " / " + value);
            assertEquals(oracleWords(glob, value), g.matchesWords(value), () -> "words " + glob + " / " + value);
        }
    }

    @Test
    void manyStarsStayLinearish() {
        String body = "a".repeat(60_000);
        Glob evil = Glob.of("*a*a*a*a*a*a*a*a*a*a*b");
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            assertFalse(evil.matchesWords(body));
            assertFalse(evil.matchesWhole(body));
            assertFalse(Glob.of("a*a*a*a*a*a*a*a*a*ab").matchesWords(body + " " + body));
        });
    }
}
