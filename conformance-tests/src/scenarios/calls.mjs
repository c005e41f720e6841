// The calls plugin as a client uses it: a 1:1 call signalled with m.call.* events shows in both users' call
// history, an unanswered call that is hung up becomes a missed-call notice in the DM, and the history route answers
// bad input with the Matrix error shape. Also the core's /voip/turnServer as the SDK asks it.
// Runs only against a server with the plugin (HEARTH_TEST_PLUGINS=plugins/calls/target/<jar>).
import crypto from "node:crypto";
import * as sdk from "matrix-js-sdk";
import { assert, assertEqual, eventually } from "../harness.mjs";

const PLUGIN = { prefix: "/_hearth/plugins/calls" };

async function history(user) {
    return (await user.client.http.authedRequest(sdk.Method.Get, "/history", undefined, undefined, PLUGIN)).calls;
}

export const calls = {
    name: "calls",
    plugins: ["calls"],
    timeoutMs: 120_000,
    async run({ hs1 }) {
        const alice = await hs1.register("alice");
        const bob = await hs1.register("bob");
        const { room_id: dm } = await alice.client.createRoom({ is_direct: true, preset: sdk.Preset.TrustedPrivateChat,
            invite: [bob.userId] });
        await bob.client.joinRoom(dm);

        // The SDK's own TURN query: coturn shared-secret credentials (the suite configures a TURN URI and secret).
        const turn = await alice.client.turnServer();
        assertEqual(turn.uris, ["turn:turn.invalid:3478?transport=udp"], "TURN URIs");
        assert(turn.username.endsWith(`:${alice.userId}`), `TURN username ${turn.username} is <expiry>:<user ID>`);
        const expected = crypto.createHmac("sha1", "conformance-turn").update(turn.username).digest("base64");
        assertEqual(turn.password, expected, "TURN password = base64(HMAC-SHA1(secret, username))");

        const offer = { type: "offer", sdp: "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n" };
        await alice.client.sendEvent(dm, "m.call.invite", { call_id: "c1", party_id: "pa", version: "1", lifetime: 60000, offer });
        await bob.client.sendEvent(dm, "m.call.answer", { call_id: "c1", party_id: "pb", version: "1",
            answer: { type: "answer", sdp: "v=0" } });
        await alice.client.sendEvent(dm, "m.call.hangup", { call_id: "c1", party_id: "pa", version: "1", reason: "user_hangup" });
        await eventually(async () => (await history(bob)).some((c) => c.call_id === "c1" && c.outcome === "ended"),
            "the answered call in bob's history", 30_000);
        const answered = (await history(alice)).find((c) => c.call_id === "c1");
        assertEqual([answered.direction, answered.type, answered.callee, answered.missed],
            ["outgoing", "video", bob.userId, false], "alice's entry of the answered call");

        await alice.client.sendEvent(dm, "m.call.invite", { call_id: "c2", party_id: "pa", version: "1", lifetime: 60000,
            offer: { type: "offer", sdp: "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" } });
        await alice.client.sendEvent(dm, "m.call.hangup", { call_id: "c2", party_id: "pa", version: "1", reason: "user_hangup" });
        await eventually(async () => (await history(bob)).some((c) => c.call_id === "c2" && c.missed),
            "the missed call in bob's history", 30_000);
        await eventually(async () => {
            const page = await bob.client.createMessagesRequest(dm, null, 20, sdk.Direction.Backward);
            return page.chunk.some((e) => e.content?.msgtype === "m.notice" && e.content.body.startsWith("Missed voice call"));
        }, "the missed-call notice in the DM", 30_000);

        try {
            await alice.client.http.authedRequest(sdk.Method.Get, "/history", { limit: "0" }, undefined, PLUGIN);
            throw new Error("limit=0 succeeded");
        } catch (e) {
            if (!e.httpStatus) throw e;
            assertEqual([e.httpStatus, e.errcode], [400, "M_INVALID_PARAM"], "limit=0");
        }
    },
};
