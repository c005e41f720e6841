package org.hearth.plugin.api;

import jakarta.json.JsonObject;
import java.util.Optional;

/**
 * An event about to be stored, as its sender asked for it: not yet signed, no event ID.
 *
 * @param stateKey empty for a message event
 * @param local    whether the sender is a user of this server
 */
public record ProposedEvent(String roomId, String sender, String type, Optional<String> stateKey, JsonObject content,
                            boolean local) {}
