package org.hearth.spec.stateres;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The "Mainline ordering" of state resolution v2. */
final class MainlineOrdering {
    private static final int INFINITY = Integer.MAX_VALUE; // "a sentinel value greater than any integer"

    private MainlineOrdering() {}

    private record Item(String id, int position, long ts) {}

    // "x < y if the mainline position of x is greater ...; or same position, smaller origin_server_ts; or smaller event_id"
    private static final Comparator<Item> ORDER = Comparator.comparingInt((Item i) -> i.position).reversed()
            .thenComparingLong(Item::ts)
            .thenComparing(Item::id);

    /** Sorts {@code events} smallest first by their mainline positions relative to {@code powerLevels} (may be null). */
    static List<String> sort(EventGraph graph, String powerLevels, List<String> events) {
        // The mainline of P: P0 = P, P(i+1) = the power levels event in the auth events of P(i).
        Map<String, Integer> position = new HashMap<>();
        Set<String> guard = new HashSet<>();
        for (String p = powerLevels; p != null && guard.add(p) && graph.pdu(p) != null; p = parentPowerLevels(graph, p)) {
            position.put(p, position.size());
        }
        Map<String, Integer> memo = new HashMap<>(); // power levels event e_j -> mainline position found from it
        List<Item> items = new ArrayList<>(events.size());
        for (String id : events) {
            items.add(new Item(id, mainlinePosition(graph, id, position, memo), graph.pdu(id).originServerTs()));
        }
        items.sort(ORDER);
        List<String> out = new ArrayList<>(items.size());
        for (Item i : items) {
            out.add(i.id());
        }
        return out;
    }

    /**
     * The smallest j >= 1 with e_j on the mainline gives position i where e_j = P_i; none gives infinity.
     * e_0 (the event itself) is skipped even when it is on the mainline. Positions found along a walk are
     * memoized for every e_j visited, so many events sharing power levels history cost one walk.
     */
    private static int mainlinePosition(EventGraph graph, String event, Map<String, Integer> mainline,
                                        Map<String, Integer> memo) {
        List<String> walked = new ArrayList<>();
        Set<String> guard = new HashSet<>();
        int found = INFINITY;
        for (String e = parentPowerLevels(graph, event); e != null && guard.add(e); e = parentPowerLevels(graph, e)) {
            Integer known = mainline.get(e);
            if (known == null) {
                known = memo.get(e);
            }
            if (known != null) {
                found = known;
                break;
            }
            walked.add(e);
        }
        for (String w : walked) {
            memo.put(w, found);
        }
        return found;
    }

    private static String parentPowerLevels(EventGraph graph, String id) {
        return graph.authEventWithKey(id, AuthStateSelection.POWER_LEVELS);
    }
}
