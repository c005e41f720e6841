package org.hearth.spec.event;

/** The key of room state: an event type and a state key. Ordered by type, then state key (code points). */
public record StateKey(String type, String stateKey) implements Comparable<StateKey> {

    public static StateKey of(String type, String stateKey) {
        return new StateKey(type, stateKey);
    }

    @Override
    public int compareTo(StateKey o) {
        int c = type.compareTo(o.type);
        return c != 0 ? c : stateKey.compareTo(o.stateKey);
    }
}
