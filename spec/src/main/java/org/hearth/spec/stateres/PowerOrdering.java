package org.hearth.spec.stateres;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import org.hearth.spec.auth.PowerLevels;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.room.RoomVersion;

/** The "Reverse topological power ordering" of state resolution v2, by Kahn's algorithm. */
final class PowerOrdering {
    private PowerOrdering() {}

    private record Vertex(String id, long power, long ts) {}

    // "x < y if x's sender has greater power level ...; or same power, smaller origin_server_ts; or same, smaller event_id"
    private static final Comparator<Vertex> ORDER = Comparator.comparingLong((Vertex v) -> v.power).reversed()
            .thenComparingLong(Vertex::ts)
            .thenComparing(Vertex::id);

    /**
     * Sorts {@code events}, earliest first: each event after its auth events in the set, and among the
     * candidates at each step of Kahn's algorithm the smallest by {@link #ORDER}.
     *
     * <p>Spec ambiguity: "the DAG formed by auth events" of a set is read as the subgraph the set induces
     * (direct {@code auth_events} links between members), not reachability through events outside the set.
     */
    static List<String> sort(RoomVersion version, EventGraph graph, Set<String> events) {
        Map<String, Vertex> vertices = new HashMap<>(events.size() * 2);
        Map<String, List<String>> dependants = new HashMap<>();
        Map<String, Integer> pending = new HashMap<>(); // auth events in the set not yet emitted
        Map<List<String>, PowerLevels> parsed = new HashMap<>(); // many events cite the same power levels
        for (String id : events) {
            vertices.put(id, new Vertex(id, senderPower(version, graph, id, parsed), graph.pdu(id).originServerTs()));
            int n = 0;
            for (String a : graph.authIds(id)) {
                if (events.contains(a) && !a.equals(id)) {
                    dependants.computeIfAbsent(a, k -> new ArrayList<>()).add(id);
                    n++;
                }
            }
            pending.put(id, n);
        }
        PriorityQueue<Vertex> ready = new PriorityQueue<>(ORDER);
        pending.forEach((id, n) -> {
            if (n == 0) {
                ready.add(vertices.get(id));
            }
        });
        List<String> out = new ArrayList<>(events.size());
        while (!ready.isEmpty()) {
            String id = ready.poll().id();
            out.add(id);
            for (String d : dependants.getOrDefault(id, List.of())) {
                if (pending.merge(d, -1, Integer::sum) == 0) {
                    ready.add(vertices.get(d));
                }
            }
        }
        // A cycle (only in a malformed graph) leaves events out; they are not state anyone could agree on.
        return out;
    }

    /**
     * The sender's power level "when looking at their respective auth_events": the power levels event and
     * (before v12) the create event among the event's auth events. Spec ambiguity for v12: the create event
     * is no longer an auth event, so the room's create event (named by the room ID) supplies the creators.
     */
    private static long senderPower(RoomVersion version, EventGraph graph, String id,
                                    Map<List<String>, PowerLevels> parsed) {
        Pdu event = graph.pdu(id);
        if (event.sender() == null) {
            return 0;
        }
        String pl = graph.authEventWithKey(id, AuthStateSelection.POWER_LEVELS);
        String createId = graph.authEventWithKey(id, AuthStateSelection.CREATE);
        Pdu create = createId != null ? graph.pdu(createId) : AuthStateSelection.roomCreateEvent(version, graph, event);
        if (create == null && "m.room.create".equals(event.type())) {
            create = event; // the create event has no auth events; its sender is the creator
        }
        Pdu plEvent = pl == null ? null : graph.pdu(pl);
        Pdu createEvent = create;
        PowerLevels levels = parsed.computeIfAbsent(Arrays.asList(pl, create == null ? null : create.eventId()), k -> {
            Map<StateKey, Pdu> authState = new HashMap<>(4);
            if (plEvent != null) {
                authState.put(AuthStateSelection.POWER_LEVELS, plEvent);
            }
            if (createEvent != null) {
                authState.put(AuthStateSelection.CREATE, createEvent);
            }
            return PowerLevels.fromState(version, authState);
        });
        return levels.userLevel(event.sender());
    }
}
