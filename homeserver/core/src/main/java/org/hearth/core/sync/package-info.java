/**
 * The streams that feed {@code GET /sync} (spec: "Syncing") and the long-poll that waits on them.
 *
 * <p>A {@link org.hearth.core.sync.SyncToken} holds one position per stream: the room engine's event stream,
 * typing (in memory), receipts, presence and account data, to-device
 * and device lists (durable, positions in {@code stream_positions}). {@link org.hearth.core.sync.SyncHandler} reads every stream between two tokens; with
 * nothing new it parks on the {@link org.hearth.core.sync.Notifier}, which wakes by user (and by room through
 * {@link org.hearth.core.sync.RoomMembership}).
 *
 * <h2>How the room engine is plugged in</h2>
 * As built: {@code org.hearth.core.room.RoomSyncSource} implements {@code RoomsStream} over the engine's
 * {@code RoomReader} (events rendered by the server's {@code ClientEvents}), {@code RoomEngineMembership} implements
 * {@code RoomMembership}; {@link org.hearth.core.sync.SyncStreams} is the engine's {@code EventNotifier}.
 * The contract, for any other implementation:
 * <ol>
 *   <li>Implement {@link org.hearth.core.sync.RoomsStream}: {@code currentPosition()} is the newest committed
 *       position of the event stream; {@code sync(user, from, to, request)} returns the user's rooms changed in
 *       ({@code from}, {@code to}] (all rooms with current state when {@code from} is 0 or
 *       {@code request.fullState()}), honouring {@code request.filter()}'s timeline limit, room lists,
 *       {@code include_leave} and {@code lazy_load_members}. Type/sender filters and {@code event_fields} are
 *       applied again by SyncHandler.</li>
 *   <li>Implement {@link org.hearth.core.sync.RoomMembership} from current state (joined members).</li>
 *   <li>After committing events, call {@code SyncStreams.eventsPersisted(room, position, membershipChanged)}:
 *       it wakes the room's joined local members and the users whose membership changed (invitees, leavers).</li>
 *   <li>Pass both to {@link org.hearth.core.sync.SyncStreams} in {@code HearthServer}.</li>
 * </ol>
 */
package org.hearth.core.sync;
