// Disappearing messages as a client sets them up: a room's m.room.retention max_lifetime, after which its
// messages are no longer served, while the room (its state, new messages) keeps working. Needs the server's
// retention support on (Hearth: retention.enabled, which the suite's servers have).
import * as sdk from "matrix-js-sdk";
import { assert, assertEqual } from "../harness.mjs";

const LIFETIME_MS = 4000;

const enc = encodeURIComponent;

async function timelineIds(user, roomId) {
    const res = await user.client.http.authedRequest(sdk.Method.Get, `/rooms/${enc(roomId)}/messages`,
        { dir: "b", limit: "100" });
    return res.chunk.map((e) => e.event_id);
}

async function syncTimelineIds(user, roomId) {
    const filter = JSON.stringify({ room: { timeline: { limit: 100 } } });
    const res = await user.client.http.authedRequest(sdk.Method.Get, "/sync", { filter, timeout: "0" });
    return (res.rooms?.join?.[roomId]?.timeline?.events ?? []).map((e) => e.event_id);
}

// Spec: Client-Server API, "m.room.retention" is not in the spec; its behaviour is MSC1763 as Synapse implements
// it: events older than max_lifetime are no longer served to clients (state events excepted).
export const disappearingMessages = {
    name: "disappearing-messages",
    async run({ hs1 }) {
        const alice = await hs1.register("alice");
        const bob = await hs1.register("bob");
        const a = alice.client;
        const { room_id: roomId } = await a.createRoom({ preset: sdk.Preset.PrivateChat, name: "disappearing" });
        await a.invite(roomId, bob.userId);
        await bob.client.joinRoom(roomId);
        await a.sendStateEvent(roomId, "m.room.retention", { max_lifetime: LIFETIME_MS }, "");
        const sent = Date.now();
        const { event_id: goneId } = await a.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "this message disappears" });

        // Fresh: bob sees it everywhere.
        assert((await timelineIds(bob, roomId)).includes(goneId), "the new message is not in bob's /messages");
        const fetched = await bob.client.fetchRoomEvent(roomId, goneId);
        assertEqual(fetched.content?.body, "this message disappears", "body of the message fetched before it expires");

        // After max_lifetime (and a purge run): gone from /messages, /event and /sync.
        let ids = await timelineIds(bob, roomId);
        const deadline = sent + LIFETIME_MS + 30_000;
        while (ids.includes(goneId) && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 500));
            ids = await timelineIds(bob, roomId);
        }
        assert(Date.now() - sent >= LIFETIME_MS, "the message disappeared before its max_lifetime");
        assert(!ids.includes(goneId), `the expired message is still in /messages ${Math.round((Date.now() - sent) / 1000)} s after it was sent`);
        try {
            await bob.client.fetchRoomEvent(roomId, goneId);
            throw new Error("the expired message is still served by /rooms/{roomId}/event/{eventId}");
        } catch (e) {
            if (!e.httpStatus) throw e;
            assertEqual([e.httpStatus, e.errcode], [404, "M_NOT_FOUND"], "HTTP status and errcode of the expired event");
        }
        assert(!(await syncTimelineIds(bob, roomId)).includes(goneId), "the expired message is in an initial /sync");

        // The room lives on: its state is kept whole and a new message is served.
        const policy = await bob.client.getStateEvent(roomId, "m.room.retention", "");
        assertEqual(policy.max_lifetime, LIFETIME_MS, "max_lifetime of the room's m.room.retention state");
        const name = await bob.client.getStateEvent(roomId, "m.room.name", "");
        assertEqual(name.name, "disappearing", "the room's name (state outlives max_lifetime)");
        const { event_id: newId } = await a.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "still here" });
        assert((await timelineIds(bob, roomId)).includes(newId), "a message sent after the expiry is not in /messages");
    },
};
