package org.hearth.plugin.api;

/**
 * A user's public read receipt ({@code m.read}) in a room (since 0.3.0): the event the user read up to, and when.
 *
 * @param threadId empty for an unthreaded receipt
 */
public record ReadReceipt(String user, String eventId, String threadId, long ts) {}
