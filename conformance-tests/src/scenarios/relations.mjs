// Event relationships as a client uses them: edits (m.replace) aggregated on the original, reactions
// (m.annotation) listed and deduplicated, and threads (m.thread) listed by /threads with their summary.
import * as sdk from "matrix-js-sdk";
import { assert, assertEqual, waitFor } from "../harness.mjs";

/** Alice creates a private room and bob joins it; both are syncing. */
export async function twoUserRoom(hs1, name) {
    const alice = await hs1.register("alice");
    const bob = await hs1.register("bob");
    await Promise.all([hs1.startSyncing(alice.client), hs1.startSyncing(bob.client)]);
    const { room_id: roomId } = await alice.client.createRoom({ preset: sdk.Preset.PrivateChat, name });
    const invited = waitFor(bob.client, sdk.RoomEvent.MyMembership, (room, membership) => room.roomId === roomId && membership === "invite",
        "bob's invite to arrive by sync");
    await alice.client.invite(roomId, bob.userId);
    await invited;
    await bob.client.joinRoom(roomId);
    return { alice, bob, roomId };
}

export function seen(client, roomId, predicate, what) {
    return waitFor(client, sdk.RoomEvent.Timeline, (event) => event.getRoomId() === roomId && predicate(event),
        `${what} to reach ${client.getUserId()}`);
}

// Spec: Client-Server API, "Event replacements" (server-side aggregation in unsigned.m.relations) and
// "Event annotations and reactions" (M_DUPLICATE_ANNOTATION).
export const editReact = {
    name: "edit-react",
    async run({ hs1 }) {
        const { alice, bob, roomId } = await twoUserRoom(hs1, "edits and reactions");
        const a = alice.client, b = bob.client;

        const { event_id: originalId } = await a.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "helo" });
        const editArrives = seen(b, roomId, (e) => e.getRelation()?.rel_type === sdk.RelationType.Replace, "the edit");
        const { event_id: editId } = await a.sendMessage(roomId, {
            msgtype: sdk.MsgType.Text, body: "* hello",
            "m.new_content": { msgtype: sdk.MsgType.Text, body: "hello" },
            "m.relates_to": { rel_type: sdk.RelationType.Replace, event_id: originalId },
        });
        await editArrives;

        // The original, fetched alone and through /messages, carries the replacement in unsigned.m.relations.
        const original = await b.fetchRoomEvent(roomId, originalId);
        const replace = original.unsigned?.["m.relations"]?.["m.replace"];
        assert(replace, `GET /event of the original has no unsigned.m.relations.m.replace: ${JSON.stringify(original.unsigned)}`);
        assertEqual(replace.event_id, editId, "event_id of unsigned.m.relations.m.replace on the original (/event)");
        assertEqual(original.content.body, "helo", "the original's content (servers do not apply edits to it)");
        const page = await b.createMessagesRequest(roomId, null, 10, sdk.Direction.Backward);
        const inPage = page.chunk.find((e) => e.event_id === originalId);
        assert(inPage, "the original is not among the last 10 events of /messages");
        assertEqual(inPage.unsigned?.["m.relations"]?.["m.replace"]?.event_id, editId,
            "event_id of unsigned.m.relations.m.replace on the original (/messages)");

        // A second edit becomes the one aggregated (the most recent).
        const { event_id: edit2Id } = await a.sendMessage(roomId, {
            msgtype: sdk.MsgType.Text, body: "* hello!",
            "m.new_content": { msgtype: sdk.MsgType.Text, body: "hello!" },
            "m.relates_to": { rel_type: sdk.RelationType.Replace, event_id: originalId },
        });
        const again = await b.fetchRoomEvent(roomId, originalId);
        assertEqual(again.unsigned?.["m.relations"]?.["m.replace"]?.event_id, edit2Id, "unsigned.m.relations.m.replace after a second edit");
        const edits = await b.relations(roomId, originalId, sdk.RelationType.Replace, sdk.EventType.RoomMessage);
        assertEqual(edits.events.map((e) => e.getId()).sort(), [editId, edit2Id].sort(), "the original's m.replace relations");

        // Invalid replacements are not aggregated (spec: "Validity of replacement events"): bob editing alice's
        // message, and an edit without m.new_content. A server may also refuse to send them.
        const invalid = async (client, content) => {
            try {
                await client.sendMessage(roomId, { ...content, "m.relates_to": { rel_type: sdk.RelationType.Replace, event_id: originalId } });
            } catch (e) {
                if (!e.httpStatus || e.httpStatus >= 500) throw e;
            }
        };
        await invalid(b, { msgtype: sdk.MsgType.Text, body: "* bob was here", "m.new_content": { msgtype: sdk.MsgType.Text, body: "bob was here" } });
        await invalid(a, { msgtype: sdk.MsgType.Text, body: "* no new content" });
        const still = await b.fetchRoomEvent(roomId, originalId);
        assertEqual(still.unsigned?.["m.relations"]?.["m.replace"]?.event_id, edit2Id,
            "unsigned.m.relations.m.replace after an edit by another sender and one without m.new_content");

        // Reactions: both react with the same key; bob's second identical reaction is refused.
        const react = (client, key) => client.sendEvent(roomId, sdk.EventType.Reaction, {
            "m.relates_to": { rel_type: sdk.RelationType.Annotation, event_id: originalId, key },
        });
        const { event_id: bobThumb } = await react(b, "👍");
        const { event_id: aliceThumb } = await react(a, "👍");
        const { event_id: bobHeart } = await react(b, "❤️");
        try {
            await react(b, "👍");
            throw new Error("a second identical reaction by the same user was accepted");
        } catch (e) {
            assertEqual(e.httpStatus, 400, "HTTP status of a duplicate reaction");
            assertEqual(e.errcode, "M_DUPLICATE_ANNOTATION", "errcode of a duplicate reaction");
        }
        const reactions = await a.relations(roomId, originalId, sdk.RelationType.Annotation, sdk.EventType.Reaction);
        const listed = reactions.events.map((e) => `${e.getId()} ${e.getSender()} ${e.getRelation()?.key}`).sort();
        assertEqual(listed, [`${bobThumb} ${bob.userId} 👍`, `${aliceThumb} ${alice.userId} 👍`, `${bobHeart} ${bob.userId} ❤️`].sort(),
            "the original's m.annotation relations");

        // Once the first reaction is redacted, the same reaction may be sent again.
        await b.redactEvent(roomId, bobThumb);
        const { event_id: bobThumbAgain } = await react(b, "👍");
        assert(bobThumbAgain && bobThumbAgain !== bobThumb, "a reaction sent again after redacting the first has a new event ID");
        const after = await a.relations(roomId, originalId, sdk.RelationType.Annotation, sdk.EventType.Reaction);
        const ids = after.events.map((e) => e.getId());
        assert(!ids.includes(bobThumb), "a redacted reaction is still listed among the relations");
        assert(ids.includes(bobThumbAgain), "the reaction sent after the redaction is not listed");
    },
};

// Spec: Client-Server API, "Threading": m.thread relations, the thread summary in unsigned.m.relations.m.thread,
// and GET /rooms/{roomId}/threads with include=all|participated.
export const threads = {
    name: "threads",
    async run({ hs1 }) {
        const { alice, bob, roomId } = await twoUserRoom(hs1, "threads");
        const a = alice.client, b = bob.client;
        const carol = await hs1.register("carol");

        const { event_id: rootId } = await a.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "thread root" });
        const { event_id: otherRootId } = await a.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "not a thread" });
        const inThread = (body, replyTo) => ({
            msgtype: sdk.MsgType.Text, body,
            "m.relates_to": { rel_type: sdk.THREAD_RELATION_TYPE.name, event_id: rootId,
                is_falling_back: true, "m.in_reply_to": { event_id: replyTo } },
        });
        const { event_id: reply1 } = await b.sendMessage(roomId, inThread("first reply", rootId));
        const lastArrives = seen(a, roomId, (e) => e.getContent().body === "second reply", "bob's second thread reply");
        const { event_id: reply2 } = await b.sendMessage(roomId, inThread("second reply", reply1));
        await lastArrives;

        // The thread's events, as relations of the root.
        const replies = await a.relations(roomId, rootId, sdk.THREAD_RELATION_TYPE.name);
        assertEqual(replies.events.map((e) => e.getId()).sort(), [reply1, reply2].sort(), "the root's m.thread relations");

        // The root carries the thread summary.
        const root = await a.fetchRoomEvent(roomId, rootId);
        const summary = root.unsigned?.["m.relations"]?.["m.thread"];
        assert(summary, `the thread root has no unsigned.m.relations.m.thread: ${JSON.stringify(root.unsigned)}`);
        assertEqual(summary.count, 2, "m.thread count on the root");
        assertEqual(summary.latest_event?.event_id, reply2, "m.thread latest_event on the root");
        // Participation: the root's sender and the repliers, not the other members.
        assertEqual(summary.current_user_participated, true, "m.thread current_user_participated for alice (the root's sender)");
        const rootForBob = await b.fetchRoomEvent(roomId, rootId);
        assertEqual(rootForBob.unsigned?.["m.relations"]?.["m.thread"]?.current_user_participated, true,
            "m.thread current_user_participated for bob (who replied)");

        // /threads lists the root (and only thread roots); include=participated follows participation.
        const all = await a.createThreadListMessagesRequest(roomId, null, 20, sdk.Direction.Backward, sdk.ThreadFilterType.All);
        const allIds = all.chunk.map((e) => e.event_id);
        assertEqual(allIds, [rootId], "event IDs listed by /threads?include=all");
        assertEqual(all.chunk[0].unsigned?.["m.relations"]?.["m.thread"]?.count, 2, "m.thread count of the root listed by /threads");
        const bobs = await b.createThreadListMessagesRequest(roomId, null, 20, sdk.Direction.Backward, sdk.ThreadFilterType.My);
        assertEqual(bobs.chunk.map((e) => e.event_id), [rootId], "bob's threads (include=participated)");
        assert(!allIds.includes(otherRootId), "a message without replies is listed as a thread");

        // A third reply: the count grows.
        await a.sendMessage(roomId, inThread("alice's reply", reply2));
        const mine = await a.createThreadListMessagesRequest(roomId, null, 20, sdk.Direction.Backward, sdk.ThreadFilterType.My);
        assertEqual(mine.chunk.map((e) => e.event_id), [rootId], "alice's threads (include=participated)");
        assertEqual(mine.chunk[0].unsigned?.["m.relations"]?.["m.thread"]?.count, 3, "m.thread count after a third reply");

        // Someone not in the room cannot list its threads.
        try {
            await carol.client.createThreadListMessagesRequest(roomId, null, 20, sdk.Direction.Backward, sdk.ThreadFilterType.All);
            throw new Error("a user who is not in the room listed its threads");
        } catch (e) {
            assertEqual(e.errcode, "M_FORBIDDEN", "errcode of /threads for a non-member");
        }
        // Once in the room, carol sees the thread but has not participated in it.
        await a.invite(roomId, carol.userId);
        await carol.client.joinRoom(roomId);
        const rootForCarol = await carol.client.fetchRoomEvent(roomId, rootId);
        assertEqual(rootForCarol.unsigned?.["m.relations"]?.["m.thread"]?.current_user_participated, false,
            "m.thread current_user_participated for carol (a member who did not take part)");
        const carols = await carol.client.createThreadListMessagesRequest(roomId, null, 20, sdk.Direction.Backward, sdk.ThreadFilterType.My);
        assertEqual(carols.chunk.length, 0, "number of carol's threads (include=participated)");
        const carolsAll = await carol.client.createThreadListMessagesRequest(roomId, null, 20, sdk.Direction.Backward, sdk.ThreadFilterType.All);
        assertEqual(carolsAll.chunk.map((e) => e.event_id), [rootId], "the room's threads listed for carol (include=all)");
    },
};
