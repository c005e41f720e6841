package org.hearth.core.media;

import java.time.Duration;
import java.util.Locale;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;

/**
 * The query parameters of the media download and thumbnail endpoints, read the same way for clients and for other
 * servers; each takes the parameter's raw value, null when absent.
 */
public final class MediaQuery {
    private static final long DEFAULT_TIMEOUT_MS = 20_000;
    // Synapse's cap on timeout_ms: a download never holds a request longer than this.
    private static final long MAX_TIMEOUT_MS = 60_000;

    private MediaQuery() {
    }

    /** {@code timeout_ms}: how long to wait for media still being uploaded. */
    public static Duration timeout(String value) {
        if (value == null) {
            return Duration.ofMillis(DEFAULT_TIMEOUT_MS);
        }
        try {
            long ms = Long.parseLong(value);
            if (ms < 0) {
                throw new NumberFormatException();
            }
            return Duration.ofMillis(Math.min(ms, MAX_TIMEOUT_MS));
        } catch (NumberFormatException e) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "timeout_ms must be a non-negative integer");
        }
    }

    /** {@code width} or {@code height} of a thumbnail: required, a positive integer. */
    public static int dimension(String name, String value) {
        if (value == null) {
            throw new MatrixException(ErrorCode.MISSING_PARAM, "Missing query parameter " + name);
        }
        try {
            int n = Integer.parseInt(value);
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, name + " must be a positive integer");
        }
    }

    /** A boolean parameter such as {@code animated} or {@code allow_redirect}. */
    public static boolean bool(String name, String value, boolean fallback) {
        if (value == null) {
            return fallback;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new MatrixException(ErrorCode.INVALID_PARAM, name + " must be true or false");
        };
    }
}
