package org.hearth.spec.push;

import java.util.List;

/** The rule that decided an event's notification, and its actions (spec: "Only actions for highest priority rule"). */
public record PushMatch(PushRule rule, List<PushAction> actions) {

    public PushMatch {
        actions = List.copyOf(actions);
    }

    /** What the actions mean: notify, highlight and sound. */
    public PushOutcome outcome() {
        return PushOutcome.of(actions);
    }
}
