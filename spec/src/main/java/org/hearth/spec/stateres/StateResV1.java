package org.hearth.spec.stateres;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.room.RoomVersion;

/**
 * State resolution for room version 1 (spec: "Room Version 1", "State resolution"). Known to reset state;
 * kept only to agree with other servers on v1 rooms.
 *
 * <p>Spec ambiguities, read as follows:
 * <ul>
 *   <li>"A conflict occurs between states where those states have different event_ids for the same key":
 *       a key missing from some states is not a conflict, so its one event joins R with the union.</li>
 *   <li>The member pass is run once per conflicted member key, keys in ascending state_key order; the
 *       "other conflicts" pass likewise per key in (type, state_key) order. The text gives no order.</li>
 *   <li>An "other" key whose events all fail auth in R is left out of the result.</li>
 *   <li>sha1(event_id) is compared as the unsigned digest of the UTF-8 event ID (same order as its hex).</li>
 *   <li>"Allowed by the authorisation rules for a room in state R" uses R only, no auth_events fallback.</li>
 * </ul>
 */
final class StateResV1 {
    private static final Set<String> AUTH_TYPES = Set.of("m.room.power_levels", "m.room.join_rules", "m.room.member");

    private StateResV1() {}

    static Map<StateKey, String> resolve(RoomVersion version, List<Map<StateKey, String>> stateSets,
                                         EventGraph graph, AuthCheck auth) {
        // "Start by setting R to the union of the states to be resolved, excluding any conflicting events."
        Map<StateKey, Set<String>> candidates = new HashMap<>();
        for (Map<StateKey, String> s : stateSets) {
            s.forEach((k, id) -> candidates.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(id));
        }
        Map<StateKey, String> r = new HashMap<>();
        TreeMap<StateKey, List<String>> conflicts = new TreeMap<>();
        candidates.forEach((k, ids) -> {
            if (ids.size() == 1) {
                r.put(k, ids.iterator().next());
            } else {
                List<String> known = new ArrayList<>();
                for (String id : ids) {
                    if (graph.pdu(id) != null) {
                        known.add(id);
                    }
                }
                if (!known.isEmpty()) {
                    conflicts.put(k, known);
                }
            }
        });

        // Power levels, then join rules, then members: earliest first, stop at the first event R refuses.
        for (String type : List.of("m.room.power_levels", "m.room.join_rules", "m.room.member")) {
            for (Map.Entry<StateKey, List<String>> c : conflicts.entrySet()) {
                if (c.getKey().type().equals(type)) {
                    applyUntilRejected(version, graph, auth, r, c.getKey(), c.getValue());
                }
            }
        }
        // "For all other conflicts, just pick the event with the highest depth and lowest sha1(event_id)
        // that passes authentication in R."
        for (Map.Entry<StateKey, List<String>> c : conflicts.entrySet()) {
            if (AUTH_TYPES.contains(c.getKey().type())) {
                continue;
            }
            List<String> ids = new ArrayList<>(c.getValue());
            ids.sort(Comparator.comparingLong((String id) -> graph.pdu(id).depth()).reversed()
                    .thenComparing(StateResV1::sha1, Arrays::compareUnsigned));
            for (String id : ids) {
                if (allowed(version, graph, auth, r, id)) {
                    r.put(c.getKey(), id);
                    break;
                }
            }
        }
        return r;
    }

    /** "Sort the list by ascending depth then descending sha1(event_id). Add the first event in the list to R." */
    private static void applyUntilRejected(RoomVersion version, EventGraph graph, AuthCheck auth,
                                           Map<StateKey, String> r, StateKey key, List<String> events) {
        List<String> ids = new ArrayList<>(events);
        ids.sort(Comparator.comparingLong((String id) -> graph.pdu(id).depth())
                .thenComparing(StateResV1::sha1, (a, b) -> Arrays.compareUnsigned(b, a)));
        r.put(key, ids.get(0));
        for (String id : ids.subList(1, ids.size())) {
            if (!allowed(version, graph, auth, r, id)) {
                return;
            }
            r.put(key, id);
        }
    }

    private static boolean allowed(RoomVersion version, EventGraph graph, AuthCheck auth,
                                   Map<StateKey, String> r, String id) {
        Pdu event = graph.pdu(id);
        Map<StateKey, Pdu> authState = new HashMap<>();
        for (StateKey k : AuthStateSelection.requiredKeys(version, event)) {
            String inR = r.get(k);
            Pdu pdu = inR == null ? null : graph.pdu(inR);
            if (pdu != null) {
                authState.put(k, pdu);
            }
        }
        return auth.check(version, event, authState).allowed();
    }

    private static byte[] sha1(String eventId) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(eventId.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-1", e);
        }
    }
}
