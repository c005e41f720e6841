package org.hearth.spec.stateres;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.room.RoomVersion;
import org.hearth.spec.room.StateResAlgorithm;

/**
 * State resolution v2 (room versions 2-11) and v2.1 (room version 12, MSC4297), step by step as in the
 * spec's "Algorithm" subsection. The two differ in the full conflicted set (v2.1 adds the conflicted state
 * subgraph) and in the state the first iterative auth checks start from.
 */
final class StateResV2 {
    private StateResV2() {}

    static Map<StateKey, String> resolve(RoomVersion version, List<Map<StateKey, String>> stateSets,
                                         EventGraph graph, AuthCheck auth) {
        boolean v21 = version.stateRes() == StateResAlgorithm.V2_1;
        Partition p = Partition.of(stateSets);
        if (p.conflicted().isEmpty()) {
            return new HashMap<>(p.unconflicted());
        }

        // "Full conflicted set": conflicted state set ∪ auth difference (∪ conflicted state subgraph in v2.1).
        Set<String> full = new LinkedHashSet<>(p.conflicted());
        full.addAll(authDifference(stateSets, p, graph));
        if (v21) {
            full.addAll(graph.subgraphBetween(p.conflicted()));
        }
        full.removeIf(id -> graph.pdu(id) == null); // unknown events cannot be checked or ordered

        // Step 1: power events of the full conflicted set, plus the parts of their auth chains in it.
        List<String> powerEvents = new ArrayList<>();
        for (String id : full) {
            if (isPowerEvent(graph.pdu(id))) {
                powerEvents.add(id);
            }
        }
        Set<String> x = new HashSet<>(powerEvents);
        for (String id : graph.authChain(powerEvents, Set.of())) {
            if (full.contains(id)) {
                x.add(id);
            }
        }
        List<String> sortedPower = PowerOrdering.sort(version, graph, x);

        // Step 2: iterative auth checks from the unconflicted state map (v2) or from an empty map (v2.1).
        Map<StateKey, String> state = v21 ? new HashMap<>() : new HashMap<>(p.unconflicted());
        AuthStateSelection.iterativeAuthChecks(version, graph, auth, state, sortedPower);

        // Step 3: the rest, by mainline ordering based on the partially resolved power levels.
        List<String> rest = new ArrayList<>();
        for (String id : full) {
            if (!x.contains(id)) {
                rest.add(id);
            }
        }
        List<String> sortedRest = MainlineOrdering.sort(graph, state.get(AuthStateSelection.POWER_LEVELS), rest);

        // Step 4: iterative auth checks on the partial state.
        AuthStateSelection.iterativeAuthChecks(version, graph, auth, state, sortedRest);

        // Step 5: the unconflicted state map wins.
        state.putAll(p.unconflicted());
        return state;
    }

    /**
     * "Auth difference": ∪ C_i − ∩ C_i over the full auth chains C_i of the state sets. The unconflicted
     * events are in every S_i, so their chain U is in every C_i; with C_i = U ∪ X_i (X_i the chain of the
     * conflicted events of S_i) the difference is ∪ X_i − ∩ X_i − U. U is walked once instead of once per
     * state set, and X_i stops at U.
     */
    private static Set<String> authDifference(List<Map<StateKey, String>> stateSets, Partition p, EventGraph graph) {
        Set<String> common = graph.authChain(p.unconflicted().values(), Set.of());
        Set<String> union = new HashSet<>();
        Set<String> intersection = null;
        for (Map<StateKey, String> set : stateSets) {
            List<String> conflictedHere = new ArrayList<>();
            for (Map.Entry<StateKey, String> e : set.entrySet()) {
                if (!e.getValue().equals(p.unconflicted().get(e.getKey()))) {
                    conflictedHere.add(e.getValue());
                }
            }
            Set<String> chain = graph.authChain(conflictedHere, common);
            union.addAll(chain);
            if (intersection == null) {
                intersection = chain;
            } else {
                intersection.retainAll(chain);
            }
        }
        if (intersection != null) {
            union.removeAll(intersection);
        }
        return union;
    }

    /**
     * "Power events": power levels, join rules, and a member event with membership leave or ban whose
     * sender is not its state_key (a kick or a ban).
     */
    static boolean isPowerEvent(Pdu e) {
        if (!e.isState()) {
            return false;
        }
        String type = e.type();
        if ("m.room.power_levels".equals(type) || "m.room.join_rules".equals(type)) {
            return true;
        }
        if (!"m.room.member".equals(type)) {
            return false;
        }
        String membership = e.content().getString("membership", null);
        return ("leave".equals(membership) || "ban".equals(membership))
                && !e.stateKey().get().equals(e.sender());
    }

    /**
     * "Unconflicted state map and conflicted state set": a key with the same event in every state set is
     * unconflicted; every other value (including one whose key some set lacks) is conflicted.
     */
    record Partition(Map<StateKey, String> unconflicted, Set<String> conflicted) {
        static Partition of(List<Map<StateKey, String>> stateSets) {
            Map<StateKey, String> unconflicted = new HashMap<>();
            Set<String> conflicted = new LinkedHashSet<>();
            if (stateSets.isEmpty()) {
                return new Partition(unconflicted, conflicted);
            }
            Set<StateKey> keys = new HashSet<>();
            for (Map<StateKey, String> s : stateSets) {
                keys.addAll(s.keySet());
            }
            for (StateKey k : keys) {
                String first = stateSets.get(0).get(k);
                boolean same = first != null;
                for (int i = 1; same && i < stateSets.size(); i++) {
                    same = first.equals(stateSets.get(i).get(k));
                }
                if (same) {
                    unconflicted.put(k, first);
                } else {
                    for (Map<StateKey, String> s : stateSets) {
                        String v = s.get(k);
                        if (v != null) {
                            conflicted.add(v);
                        }
                    }
                }
            }
            return new Partition(unconflicted, conflicted);
        }
    }
}
