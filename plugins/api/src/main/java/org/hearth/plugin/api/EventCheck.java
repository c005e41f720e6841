package org.hearth.plugin.api;

import org.pf4j.ExtensionPoint;

/**
 * A check of each event before it is stored (spam checks, content rules). Called synchronously on the send path,
 * within the server's time budget ({@code plugins.call_budget_ms}): a check that overruns or throws counts as a
 * failure and the event is allowed (a broken plugin must not stop a room).
 *
 * <p>Only events of local senders are checked unless {@link #checksFederatedEvents()} says otherwise: refusing an
 * event that other servers already accepted splits the room's history between servers.
 */
public interface EventCheck extends ExtensionPoint {
    Verdict check(ProposedEvent event);

    /** Opt in to also see events arriving over federation. */
    default boolean checksFederatedEvents() {
        return false;
    }
}
