package org.hearth.federation.discovery;

import java.time.Duration;
import java.util.Optional;

/** Fetches {@code https://<hostname>/.well-known/matrix/server}; a port so tests can answer without a web server. */
public interface WellKnownSource {

    /**
     * What the fetch gave.
     *
     * @param server  the {@code m.server} value; empty when the answer was an error or invalid
     * @param maxAge  the response's {@code Cache-Control: max-age}, if any (zero for {@code no-store}/{@code no-cache})
     */
    record Answer(Optional<String> server, Optional<Duration> maxAge) {
        public static Answer failed() {
            return new Answer(Optional.empty(), Optional.empty());
        }

        public static Answer found(String server, Optional<Duration> maxAge) {
            return new Answer(Optional.of(server), maxAge);
        }
    }

    Answer fetch(String hostname);
}
