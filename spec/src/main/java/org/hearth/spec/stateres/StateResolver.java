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
     * Resolves several state sets (each a map from state key to event ID) into one. Pure: reads events only
     * through {@code events}, which should answer for every event named by the sets or their auth chains.
     * Unknown events (null) are skipped: an unknown auth event is no auth event, an unknown conflicted event
     * cannot win. Events rejected against their own auth chain should be reported unknown, since state
     * resolution takes every event it can see as not rejected (spec v2: "Rejected events").
     *
     * @param events looks up any event named by the sets or their auth chains; returns null when unknown
     * @return a new mutable map from state key to event ID
     */
    public static Map<StateKey, String> resolve(RoomVersion version, List<Map<StateKey, String>> stateSets,
                                                Function<String, Pdu> events) {
        return resolve(version, stateSets, events, AuthCheck.RULES);
    }

    static Map<StateKey, String> resolve(RoomVersion version, List<Map<StateKey, String>> stateSets,
                                         Function<String, Pdu> events, AuthCheck auth) {
        EventGraph graph = new EventGraph(events);
        return switch (version.stateRes()) {
            case V1 -> StateResV1.resolve(version, stateSets, graph, auth);
            case V2, V2_1 -> StateResV2.resolve(version, stateSets, graph, auth);
        };
    }
}
