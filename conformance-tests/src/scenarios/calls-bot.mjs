// The calls plugin's bot as a client uses it: after an answered video call and a missed voice call, alice asks
// @calls for !history in a DM and reads both calls (direction, type, caller and callee, times, the missed one marked);
// bob's history shows them incoming. Runs against a server with the plugin (HEARTH_TEST_PLUGINS, or the Maven build).
import * as sdk from "matrix-js-sdk";
import { assert, eventually } from "../harness.mjs";
import { botChat } from "../bots.mjs";

const PLUGIN = { prefix: "/_hearth/plugins/calls" };

export const callsBot = {
    name: "calls-bot",
    plugins: ["calls"],
    timeoutMs: 120_000,
    async run({ hs1 }) {
        const alice = await hs1.register("alice");
        const bob = await hs1.register("bob");
        const { room_id: dm } = await alice.client.createRoom({ is_direct: true, preset: sdk.Preset.TrustedPrivateChat,
            invite: [bob.userId] });
        await bob.client.joinRoom(dm);
        const aliceBot = await botChat(alice, "calls");
        assert((await aliceBot.ask("!help")).includes("!history"), "the bot's !help names !history");

        const video = { type: "offer", sdp: "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n" };
        await alice.client.sendEvent(dm, "m.call.invite", { call_id: "b1", party_id: "pa", version: "1", lifetime: 60000, offer: video });
        await bob.client.sendEvent(dm, "m.call.answer", { call_id: "b1", party_id: "pb", version: "1",
            answer: { type: "answer", sdp: "v=0" } });
        await alice.client.sendEvent(dm, "m.call.hangup", { call_id: "b1", party_id: "pa", version: "1", reason: "user_hangup" });
        const history = async () => (await alice.client.http.authedRequest(sdk.Method.Get, "/history", undefined, undefined, PLUGIN)).calls;
        await eventually(async () => (await history()).some((c) => c.call_id === "b1" && c.outcome === "ended"),
            "the answered call in the history", 30_000);
        await alice.client.sendEvent(dm, "m.call.invite", { call_id: "b2", party_id: "pa", version: "1", lifetime: 60000,
            offer: { type: "offer", sdp: "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" } });
        await alice.client.sendEvent(dm, "m.call.hangup", { call_id: "b2", party_id: "pa", version: "1", reason: "user_hangup" });
        await eventually(async () => (await history()).some((c) => c.call_id === "b2" && c.missed), "the missed call", 30_000);

        const text = await aliceBot.ask("!history");
        const lines = text.split("\n");
        assert(lines.length === 3, `two calls in !history: ${text}`);
        assert(lines[1].startsWith(`- MISSED voice call (outgoing) from ${alice.userId} to ${bob.userId}: missed`), `the missed call: ${text}`);
        assert(lines[2].startsWith(`- video call (outgoing) from ${alice.userId} to ${bob.userId}: ended`)
            && lines[2].includes(", answered ") && lines[2].includes(", lasted "), `the answered call: ${text}`);
        assert((await aliceBot.ask("!history 1")).split("\n").length === 2, "!history 1 lists one call");

        const bobBot = await botChat(bob, "calls");
        const bobs = await bobBot.ask("!history");
        assert(bobs.includes(`- MISSED voice call (incoming) from ${alice.userId}`), `bob's missed call: ${bobs}`);
    },
};
