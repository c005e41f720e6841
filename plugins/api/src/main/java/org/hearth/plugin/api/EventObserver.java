package org.hearth.plugin.api;

import org.pf4j.ExtensionPoint;

/**
 * Told of every stored event after its commit, in stream order, on a thread of the plugin's own (never on the
 * sender's request), within the call budget. Delivery is at least once: the server records in its database the
 * last position the plugin's observers returned from, and resumes after it (after a failure, a restart or a crash),
 * so an observer may see an event twice and should be idempotent (key on {@link ObservedEvent#eventId()}). A throw
 * or an overrun is retried about a second later and counts as a failure; a plugin that keeps failing is disabled.
 * A plugin's first start observes from the then newest event on, not the server's whole history.
 */
public interface EventObserver extends ExtensionPoint {
    void observe(ObservedEvent event);
}
