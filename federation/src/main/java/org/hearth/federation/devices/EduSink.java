package org.hearth.federation.devices;

import jakarta.json.JsonObject;

/** Where outgoing EDUs go: the destination's transaction queue. */
@FunctionalInterface
public interface EduSink {
    void send(String destination, JsonObject edu);
}
