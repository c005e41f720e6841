package org.hearth.plugin.api;

import java.util.Objects;
import org.hearth.spec.error.ErrorCode;

/** What an {@link EventCheck} decides about one event. */
public sealed interface Verdict {
    Verdict ALLOW = new Allow();

    /** The event goes on to the room's own authorization rules. */
    record Allow() implements Verdict {}

    /**
     * The event is not stored; the sender gets {@code errcode} (with the status the spec pairs it with, e.g. 403 for
     * {@code M_FORBIDDEN}) and {@code message}.
     */
    record Refuse(ErrorCode errcode, String message) implements Verdict {
        public Refuse {
            Objects.requireNonNull(errcode, "errcode");
            Objects.requireNonNull(message, "message");
        }
    }

    static Verdict refuse(ErrorCode errcode, String message) {
        return new Refuse(errcode, message);
    }
}
