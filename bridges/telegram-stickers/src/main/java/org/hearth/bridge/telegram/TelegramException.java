package org.hearth.bridge.telegram;

/** A Telegram Bot API failure, with a message fit to show the user who asked for the import. */
public final class TelegramException extends RuntimeException {
    private final int errorCode;

    public TelegramException(int errorCode, String message) {
        super(message);
        this.errorCode = errorCode;
    }

    public int errorCode() {
        return errorCode;
    }
}
