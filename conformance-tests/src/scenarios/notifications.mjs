// Notification counts as a client sees them: a mention (m.mentions) highlights, a read receipt clears the
// counts, a room push rule without actions mutes the room; GET /notifications lists what notified.
import * as sdk from "matrix-js-sdk";
import { assert, assertEqual, eventually } from "../harness.mjs";

/** The room's unread_notifications and last timeline event, from a fresh /sync of one event a room. */
async function unread(client, roomId) {
    const filter = JSON.stringify({ room: { rooms: [roomId], timeline: { limit: 1 }, state: { lazy_load_members: true } } });
    const res = await client.http.authedRequest(sdk.Method.Get, "/sync", { filter, timeout: "0" });
    const room = res.rooms?.join?.[roomId];
    return { counts: room?.unread_notifications ?? {}, last: room?.timeline?.events?.at(-1)?.event_id };
}

/** Waits until bob's /sync has `eventId` as the room's last event, then returns the counts there. */
async function countsAfter(client, roomId, eventId) {
    const { counts } = await eventually(async () => {
        const u = await unread(client, roomId);
        return u.last === eventId ? u : null;
    }, `event ${eventId} to reach ${client.getUserId()}'s /sync`);
    return { highlight: counts.highlight_count ?? 0, notification: counts.notification_count ?? 0 };
}

async function expectCounts(client, roomId, eventId, expected, what) {
    // Counts may be computed just after the event is visible: wait a little for them to settle.
    let got;
    try {
        await eventually(async () => {
            got = await countsAfter(client, roomId, eventId);
            return got.highlight === expected.highlight && got.notification === expected.notification;
        }, what, 5_000);
    } catch {
        assertEqual(got, expected, `unread counts ${what}`);
    }
}

function readReceipt(client, roomId, eventId) {
    const event = new sdk.MatrixEvent({ event_id: eventId, room_id: roomId, type: sdk.EventType.RoomMessage, content: {} });
    return client.sendReceipt(event, sdk.ReceiptType.Read);
}

async function roomOfTwo(hs1, name) {
    const alice = await hs1.register("alice");
    const bob = await hs1.register("bob");
    const { room_id: roomId } = await alice.client.createRoom({ preset: sdk.Preset.PrivateChat, name });
    await alice.client.invite(roomId, bob.userId);
    await bob.client.joinRoom(roomId);
    // A room of two counts as a one-to-one room for the default rules; a third member makes it a group.
    const carol = await hs1.register("carol");
    await alice.client.invite(roomId, carol.userId);
    await carol.client.joinRoom(roomId);
    return { alice, bob, roomId };
}

// Spec: Client-Server API, "Push notifications" (default rules .m.rule.is_user_mention, .m.rule.message),
// "Receiving notifications" (unread_notifications in /sync, GET /notifications), "Receipts" (clearing counts)
// and "User-defined mentions" (m.mentions).
export const mentionHighlight = {
    name: "mention-highlight",
    async run({ hs1 }) {
        const { alice, bob, roomId } = await roomOfTwo(hs1, "mentions");
        const a = alice.client, b = bob.client;

        const { event_id: plainId } = await a.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "hello everyone" });
        await expectCounts(b, roomId, plainId, { highlight: 0, notification: 1 }, "after a plain message");

        const { event_id: mentionId } = await a.sendMessage(roomId, {
            msgtype: sdk.MsgType.Text, body: `${bob.userId}: look at this`, "m.mentions": { user_ids: [bob.userId] },
        });
        await expectCounts(b, roomId, mentionId, { highlight: 1, notification: 2 }, "after a mention of bob");
        // Alice's own messages never count for her.
        await expectCounts(a, roomId, mentionId, { highlight: 0, notification: 0 }, "of the sender herself");

        // GET /notifications lists the mention, highlighted, and the plain message.
        const notifications = await b.http.authedRequest(sdk.Method.Get, "/notifications", { limit: "10" });
        const mention = notifications.notifications.find((n) => n.event.event_id === mentionId);
        assert(mention, `the mention is not in bob's /notifications: ${JSON.stringify(notifications.notifications.map((n) => n.event.event_id))}`);
        assertEqual(mention.room_id, roomId, "room_id of the mention's notification");
        assert(mention.actions.some((x) => x?.set_tweak === "highlight" && x.value !== false), "the mention's notification has no highlight tweak");
        assertEqual(mention.read, false, "read flag of the unread mention's notification");
        assert(notifications.notifications.some((n) => n.event.event_id === plainId), "the plain message is not in bob's /notifications");
        const highlights = await b.http.authedRequest(sdk.Method.Get, "/notifications", { only: "highlight" });
        assertEqual(highlights.notifications.map((n) => n.event.event_id), [mentionId], "bob's /notifications?only=highlight");

        // Bob reads up to the mention: both counts go back to 0.
        await readReceipt(b, roomId, mentionId);
        await expectCounts(b, roomId, mentionId, { highlight: 0, notification: 0 }, "after bob's read receipt");
        const afterRead = await b.http.authedRequest(sdk.Method.Get, "/notifications", { only: "highlight" });
        assertEqual(afterRead.notifications.find((n) => n.event.event_id === mentionId)?.read, true,
            "read flag of the mention's notification after the receipt");

        // A receipt for an earlier event does not bring the counts back; new messages count from the receipt.
        const { event_id: nextId } = await a.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "one more" });
        await expectCounts(b, roomId, nextId, { highlight: 0, notification: 1 }, "after a message following the receipt");
    },
};

// Spec: Client-Server API, "Push rules" (room rules, an empty actions list; "dont_notify" is a no-op) and
// their evaluation order (override before room rules).
export const muteRoom = {
    name: "mute-room",
    async run({ hs1 }) {
        const { alice, bob, roomId } = await roomOfTwo(hs1, "muted");
        const a = alice.client, b = bob.client;

        // Bob mutes the room the way clients do: a room rule with no actions.
        await b.addPushRule("global", sdk.PushRuleKind.RoomSpecific, roomId, { actions: [] });
        const rules = await b.getPushRules();
        const rule = rules.global.room?.find((r) => r.rule_id === roomId);
        assert(rule, "bob's room rule is not listed in his push rules");
        assertEqual(rule.actions, [], "actions of bob's room rule");

        const { event_id: mutedId } = await a.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "nobody hears this" });
        await expectCounts(b, roomId, mutedId, { highlight: 0, notification: 0 }, "in a muted room");
        const { event_id: muted2Id } = await a.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "nor this" });
        await expectCounts(b, roomId, muted2Id, { highlight: 0, notification: 0 }, "in a muted room after two messages");

        // The legacy "dont_notify" action means the same.
        await b.setPushRuleActions("global", sdk.PushRuleKind.RoomSpecific, roomId, [sdk.PushRuleActionName.DontNotify]);
        const { event_id: dontNotifyId } = await a.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "still quiet" });
        await expectCounts(b, roomId, dontNotifyId, { highlight: 0, notification: 0 }, "with a dont_notify room rule");

        // A mention is an override rule, evaluated before room rules: it still notifies and highlights.
        const { event_id: mentionId } = await a.sendMessage(roomId, {
            msgtype: sdk.MsgType.Text, body: `${bob.userId}: urgent`, "m.mentions": { user_ids: [bob.userId] },
        });
        await expectCounts(b, roomId, mentionId, { highlight: 1, notification: 1 }, "after a mention in a muted room");
        await readReceipt(b, roomId, mentionId);
        await expectCounts(b, roomId, mentionId, { highlight: 0, notification: 0 }, "after reading the mention");

        // Unmuted, messages count again.
        await b.deletePushRule("global", sdk.PushRuleKind.RoomSpecific, roomId);
        const { event_id: loudId } = await a.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "can you hear me now" });
        await expectCounts(b, roomId, loudId, { highlight: 0, notification: 1 }, "after unmuting");
    },
};
