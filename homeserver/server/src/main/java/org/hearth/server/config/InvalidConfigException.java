package org.hearth.server.config;

/** The configuration cannot be used; the message names the key and what is wrong, for the operator. */
public final class InvalidConfigException extends RuntimeException {
    public InvalidConfigException(String message) {
        super(message);
    }

    public InvalidConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
