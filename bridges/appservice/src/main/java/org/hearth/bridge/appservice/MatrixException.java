package org.hearth.bridge.appservice;

import java.util.OptionalLong;

/** A homeserver's error answer ({@code errcode}, {@code error}) or a failure to reach it (status 0). */
public final class MatrixException extends RuntimeException {
    private final int status;
    private final String errcode;
    private final OptionalLong retryAfterMs;

    public MatrixException(int status, String errcode, String error, OptionalLong retryAfterMs) {
        super(status + " " + errcode + ": " + error);
        this.status = status;
        this.errcode = errcode;
        this.retryAfterMs = retryAfterMs;
    }

    public int status() {
        return status;
    }

    public String errcode() {
        return errcode;
    }

    /** From {@code retry_after_ms} on a 429 {@code M_LIMIT_EXCEEDED}. */
    public OptionalLong retryAfterMs() {
        return retryAfterMs;
    }
}
