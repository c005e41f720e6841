package org.hearth.core.report;

/** A stored event report; {@code reason} and {@code score} are null when the reporter gave none. */
public record EventReport(long id, long receivedTs, String roomId, String eventId, String sender, String userId,
                          String reason, Long score) {}
