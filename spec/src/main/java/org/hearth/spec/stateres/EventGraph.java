package org.hearth.spec.stateres;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.StateKey;

/**
 * The events one resolution looks at, each fetched and parsed once, and the walks along their
 * {@code auth_events} links (spec: "Auth chain" in the v2 state resolution definitions). Lives for one
 * resolution only, so it may cache freely. Unknown events (lookup returns null) are skipped: they have no
 * auth events and take part in nothing.
 */
final class EventGraph {
    private static final Node MISSING = new Node(null, null, List.of());

    /** One event with what the algorithms read again and again. */
    record Node(Pdu pdu, StateKey key, List<String> authIds) {}

    private final Function<String, Pdu> lookup;
    private final Map<String, Node> nodes = new HashMap<>();

    EventGraph(Function<String, Pdu> lookup) {
        this.lookup = lookup;
    }

    /** The event, or null when the caller does not know it. */
    Pdu pdu(String eventId) {
        return node(eventId).pdu();
    }

    /** The event's (type, state_key), or null for unknown or non-state events. */
    StateKey key(String eventId) {
        return node(eventId).key();
    }

    /** The IDs in the event's {@code auth_events}; empty for unknown events. */
    List<String> authIds(String eventId) {
        return node(eventId).authIds();
    }

    Node node(String eventId) {
        Node n = nodes.get(eventId);
        if (n == null) {
            Pdu pdu = eventId == null ? null : lookup.apply(eventId);
            n = pdu == null ? MISSING : new Node(pdu, pdu.stateTuple().orElse(null), List.copyOf(pdu.authEvents()));
            nodes.put(eventId, n);
        }
        return n;
    }

    /** The auth event of {@code eventId} with the given key, or null (e.g. its power levels event). */
    String authEventWithKey(String eventId, StateKey key) {
        for (String a : authIds(eventId)) {
            if (key.equals(key(a))) {
                return a;
            }
        }
        return null;
    }

    /**
     * The union of the auth chains of {@code starts} (spec: "Auth chain": auth events, their auth events,
     * and so on; the start events themselves only when one is an auth event of another), not walking into
     * {@code closed}: a set already closed under auth links, whose members and chains the caller accounts for.
     */
    Set<String> authChain(Collection<String> starts, Set<String> closed) {
        Set<String> seen = new HashSet<>();
        ArrayDeque<String> todo = new ArrayDeque<>();
        for (String s : starts) {
            pushAuthEvents(s, closed, seen, todo);
        }
        while (!todo.isEmpty()) {
            pushAuthEvents(todo.pop(), closed, seen, todo);
        }
        return seen;
    }

    private void pushAuthEvents(String id, Set<String> closed, Set<String> seen, ArrayDeque<String> todo) {
        for (String a : authIds(id)) {
            if (!closed.contains(a) && seen.add(a) && node(a).pdu() != null) {
                todo.push(a);
            }
        }
    }

    /**
     * Every event lying on an {@code auth_events} path from one of {@code marked} to another, endpoints
     * included (spec v12: "Conflicted state subgraph"). An unmarked vertex is on such a path iff it is
     * reachable from a marked event and itself reaches one; a marked one iff it reaches or is reached from
     * another. Iterative
     * post-order DFS: auth chains can be thousands of links deep.
     */
    Set<String> subgraphBetween(Set<String> marked) {
        Map<String, Boolean> reaches = new HashMap<>(); // finished: whether a marked event is reachable (0+ links)
        Set<String> onStack = new HashSet<>();           // guards against a malformed, cyclic auth graph
        Set<String> result = new HashSet<>();
        ArrayDeque<Frame> stack = new ArrayDeque<>();
        for (String start : marked) {
            if (reaches.containsKey(start)) {
                continue;
            }
            stack.push(new Frame(start, authIds(start)));
            onStack.add(start);
            while (!stack.isEmpty()) {
                Frame f = stack.peek();
                if (f.next < f.children.size()) {
                    String child = f.children.get(f.next++);
                    if (marked.contains(child)) {
                        result.add(child); // an endpoint: reached from a marked event
                    }
                    Boolean done = reaches.get(child);
                    if (done != null) {
                        f.reaches |= done;
                    } else if (node(child).pdu() == null) {
                        reaches.put(child, false);
                    } else if (onStack.add(child)) {
                        stack.push(new Frame(child, authIds(child)));
                    }
                    continue;
                }
                stack.pop();
                onStack.remove(f.id);
                boolean marks = marked.contains(f.id);
                boolean r = f.reaches || marks;
                reaches.put(f.id, r);
                // Every walk starts at a marked event, so an unmarked vertex here is reached from one; a
                // marked one is an endpoint when it reaches another (f.reaches counts one link or more).
                if (marks ? f.reaches : r) {
                    result.add(f.id);
                }
                if (!stack.isEmpty()) {
                    stack.peek().reaches |= r;
                }
            }
        }
        return result;
    }

    private static final class Frame {
        final String id;
        final List<String> children;
        int next;
        boolean reaches;

        Frame(String id, List<String> children) {
            this.id = id;
            this.children = children;
        }
    }

    static List<String> sortedCopy(Collection<String> ids) {
        List<String> list = new ArrayList<>(ids);
        list.sort(null);
        return list;
    }
}
