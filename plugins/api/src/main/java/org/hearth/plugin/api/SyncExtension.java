package org.hearth.plugin.api;

import jakarta.json.JsonObject;
import java.util.Optional;
import org.pf4j.ExtensionPoint;

/**
 * Extra data in {@code /sync} responses, under a top-level key named by the plugin's namespace (as for
 * {@link ClientExtension}; a clash refuses the load). Clients ignore top-level keys they do not know, so the data
 * is safe for every client. Called for each {@code /sync} response within the call budget: return empty (the usual
 * case) to add nothing, and keep it cheap. It does not wake a waiting {@code /sync}: new data goes out with the next
 * response.
 */
public interface SyncExtension extends ExtensionPoint {
    String namespace();

    Optional<JsonObject> sync(SyncRequest request);

    /**
     * @param initial whether the client synced without {@code since} (it has nothing yet)
     */
    record SyncRequest(String user, String deviceId, boolean initial) {}
}
