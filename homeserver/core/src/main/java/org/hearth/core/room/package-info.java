/**
 * The room engine: every event is a real PDU (prev_events = forward extremities, auth_events from the current
 * state, depth, hashes, signature), auth-checked, and persisted with its edges, state group and stream position in
 * one transaction.
 *
 * <p>For sync and other readers:
 * <ul>
 *   <li>{@link org.hearth.core.room.RoomReader#currentPosition()}: the event stream's position; every event at or
 *       below it is committed and readable (positions are allocated in order and published only once all below
 *       are settled, so a reader never misses an event by remembering a position).</li>
 *   <li>{@link org.hearth.core.room.RoomReader#timeline}: a room's accepted events between two positions, newest or
 *       oldest first, with a limit; {@link org.hearth.core.room.StoredEvent#streamOrdering()} is each one's
 *       position.</li>
 *   <li>{@link org.hearth.core.room.RoomReader#currentState}, {@code stateIdsBefore/After(event)}: state as
 *       snapshots, read without replaying the room.</li>
 *   <li>{@link org.hearth.core.room.RoomReader#memberships(org.hearth.spec.id.UserId)}: the rooms a user is joined,
 *       invited, knocking, left or banned in, each with the position of that membership event.</li>
 *   <li>{@link org.hearth.core.room.HistoryVisibility}: whether a user may see an event.</li>
 *   <li>{@link org.hearth.core.port.EventNotifier}: called after each commit, outside the room lock, with the room,
 *       the newest position and the users whose membership changed.</li>
 * </ul>
 */
package org.hearth.core.room;
