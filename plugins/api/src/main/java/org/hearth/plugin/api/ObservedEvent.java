package org.hearth.plugin.api;

import jakarta.json.JsonObject;
import java.util.Optional;

/**
 * An event that was stored, with its place in the server's event stream.
 *
 * @param streamPosition increases with each stored event; an observer sees positions in increasing order
 * @param stateKey       empty for a message event
 */
public record ObservedEvent(long streamPosition, String eventId, String roomId, String sender, String type,
                            Optional<String> stateKey, JsonObject content) {}
