package org.hearth.federation.client;

/**
 * A federation request that did not give a 2xx JSON answer. {@code status} is 0 when no HTTP answer came
 * (unreachable, refused address, TLS failure, backing off); otherwise the remote's status, with its Matrix
 * {@code errcode} ({@code M_UNKNOWN} when the body was not a Matrix error).
 */
public final class FederationException extends RuntimeException {
    private final String destination;
    private final int status;
    private final String errcode;

    public FederationException(String destination, int status, String errcode, String message) {
        super(destination + ": " + message, null, false, false);
        this.destination = destination;
        this.status = status;
        this.errcode = errcode;
    }

    static FederationException unreachable(String destination, String why) {
        return new FederationException(destination, 0, null, why);
    }

    public String destination() {
        return destination;
    }

    public int status() {
        return status;
    }

    /** The remote's errcode; null when no HTTP answer came. */
    public String errcode() {
        return errcode;
    }

    public boolean unreachable() {
        return status == 0;
    }
}
