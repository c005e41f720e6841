package org.hearth.core.room;

/** A user's current membership in a room, with the stream position of the event that set it. */
public record Membership(String roomId, String userId, String membership, String eventId, long streamOrdering,
                         boolean forgotten) {
    public static final String JOIN = "join";
    public static final String INVITE = "invite";
    public static final String LEAVE = "leave";
    public static final String BAN = "ban";
    public static final String KNOCK = "knock";
}
