package org.hearth.spec.stateres;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.room.RoomVersion;

/** State resolution (spec: v1 for room version 1, v2 for 2-11, v2.1 for 12). */
public final class StateResolver {
    private StateResolver() {}

    /**
     * Resolves several state sets (each a map from state key to event ID) into one.
     *
     * @param events looks up any event named by the sets or their auth chains; returns null when unknown
     */
    public static Map<StateKey, String> resolve(RoomVersion version, List<Map<StateKey, String>> stateSets,
                                                Function<String, Pdu> events) {
        throw new UnsupportedOperationException("not yet written");
    }
}
