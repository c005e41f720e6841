// The receipts plugin as a client sees it: alice's message reaches bob's syncing client, and alice's client gets bob's
// org.hearth.delivered receipt in m.receipt (the plugin posts it once bob's next /sync acknowledges the message), then
// bob's m.read. Bob turns delivery receipts off: alice gets no delivered receipt from him any more, while carol's
// still come, and the plugin's status route says "sent" for bob.
// Runs only against a server with the plugin (HEARTH_TEST_PLUGINS=plugins/receipts/target/<jar>).
import * as sdk from "matrix-js-sdk";
import { assert, assertEqual, eventually, waitFor } from "../harness.mjs";

const PLUGIN = { prefix: "/_hearth/plugins/receipts" };
const DELIVERED = "org.hearth.delivered";

export const receipts = {
    name: "receipts",
    plugins: ["receipts"],
    timeoutMs: 120_000,
    async run({ hs1 }) {
        const alice = await hs1.register("alice");
        const bob = await hs1.register("bob");
        const carol = await hs1.register("carol");
        const a = alice.client, b = bob.client, c = carol.client;
        const { room_id: roomId } = await a.createRoom({ preset: sdk.Preset.PrivateChat, name: "receipts",
            invite: [bob.userId, carol.userId] });
        await b.joinRoom(roomId);
        await c.joinRoom(roomId);
        await Promise.all([hs1.startSyncing(a), hs1.startSyncing(b), hs1.startSyncing(c)]);

        // Whether alice's client has seen `user`'s receipt of `type` on `eventId` (m.receipt, as the SDK keeps it).
        // Asked as soon as the send returns, the receipt may already be there: on a busy machine the recipient can
        // sync, acknowledge and the receipt reach alice before her client has handled the send's answer.
        const hasReceipt = (type, eventId, userId) =>
            a.getRoom(roomId)?.getReadReceiptForUserId(userId, true, type)?.eventId === eventId;
        const receiptAtAlice = (type, eventId, userId) => hasReceipt(type, eventId, userId) ? Promise.resolve()
            : waitFor(a, sdk.RoomEvent.Receipt, (event, room) => room.roomId === roomId
                && (event.getContent()[eventId]?.[type]?.[userId] !== undefined || hasReceipt(type, eventId, userId)),
            `${userId}'s ${type} receipt on ${eventId} at alice`, 30_000);
        const arrives = (client, body) => waitFor(client, sdk.RoomEvent.Timeline, (event) =>
            event.getRoomId() === roomId && event.getContent().body === body, `"${body}" to reach ${client.getUserId()}`);
        const status = async (eventId) => (await a.http.authedRequest(sdk.Method.Get,
            `/events/${encodeURIComponent(eventId)}/status`, undefined, undefined, PLUGIN)).recipients;

        // Delivered: bob's client synced the message (its next /sync acknowledges it).
        let atBob = arrives(b, "first");
        const { event_id: first } = await a.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "first" });
        const deliveredFirst = receiptAtAlice(DELIVERED, first, bob.userId);
        await atBob;
        await deliveredFirst;
        assertEqual((await status(first))[bob.userId], "delivered", "status of the first message for bob");

        // Read: bob's client sends m.read; alice's sync delivers it, and the status says read.
        const readFirst = receiptAtAlice(sdk.ReceiptType.Read, first, bob.userId);
        const firstAtBob = b.getRoom(roomId).findEventById(first);
        assert(firstAtBob, "bob's client has the first message");
        await b.sendReceipt(firstAtBob, sdk.ReceiptType.Read);
        await readFirst;
        await eventually(async () => (await status(first))[bob.userId] === "read", "bob's read in the status route");

        // Bob turns delivery receipts off.
        await b.http.authedRequest(sdk.Method.Put, "/settings", undefined, { delivery_receipts: false }, PLUGIN);
        const settings = await b.http.authedRequest(sdk.Method.Get, "/settings", undefined, undefined, PLUGIN);
        assertEqual(settings.delivery_receipts, false, "bob's settings after turning delivery receipts off");
        try {
            await b.http.authedRequest(sdk.Method.Put, "/settings", undefined, { delivery_receipts: "no" }, PLUGIN);
            throw new Error("a non-boolean setting was accepted");
        } catch (e) {
            if (!e.httpStatus) throw e;
            assertEqual([e.httpStatus, e.errcode], [400, "M_BAD_JSON"], "a non-boolean delivery_receipts");
        }

        let bobReceipts = 0;
        const counter = (event, room) => {
            if (room.roomId !== roomId) return;
            for (const byType of Object.values(event.getContent())) {
                if (byType?.[DELIVERED]?.[bob.userId] !== undefined) bobReceipts++;
            }
        };
        atBob = arrives(b, "second");
        const { event_id: second } = await a.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "second" });
        await atBob;
        a.on(sdk.RoomEvent.Receipt, counter);
        try {
            // A later message bob's client syncs too: by then his acknowledgement of "second" was made.
            atBob = arrives(b, "third");
            const { event_id: third } = await a.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "third" });
            const carolThird = receiptAtAlice(DELIVERED, third, carol.userId);
            await atBob;
            await carolThird; // carol's still come: the plugin is working
            await eventually(async () => (await status(third))[carol.userId] !== "sent", "carol's delivery of the third");
            const recipients = await status(second);
            assertEqual(recipients[bob.userId], "sent", "status of the second message for bob (delivery receipts off)");
            assertEqual(bobReceipts, 0, "delivered receipts from bob after he turned them off");
        } finally {
            a.off(sdk.RoomEvent.Receipt, counter);
        }
    },
};
