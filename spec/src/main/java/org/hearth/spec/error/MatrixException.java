package org.hearth.spec.error;

/** An error answer in the Matrix shape; thrown anywhere, rendered once at the HTTP edge. */
public final class MatrixException extends RuntimeException {
    private final ErrorCode code;
    private final int status;

    public MatrixException(ErrorCode code, String message) {
        this(code, code.status(), message);
    }

    /** For the few places where the spec pairs a code with a status other than its usual one (e.g. 405 M_UNRECOGNIZED). */
    public MatrixException(ErrorCode code, int status, String message) {
        super(message, null, false, false); // an answer, not a bug: no stack trace
        this.code = code;
        this.status = status;
    }

    public ErrorCode code() {
        return code;
    }

    public int status() {
        return status;
    }
}
