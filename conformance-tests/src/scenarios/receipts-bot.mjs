// The receipts plugin as a client uses it, through its bot: bob turns his delivery receipts off in a DM with
// @receipts; alice's message then shows as sent (not delivered) to bob in the bot's !status, while carol's device
// receiving it shows as delivered, an org.hearth.delivered receipt in alice's m.receipt. Runs against a server with
// the plugin (HEARTH_TEST_PLUGINS, or the Maven build, which loads plugins/receipts).
import * as sdk from "matrix-js-sdk";
import { assert, assertEqual, eventually } from "../harness.mjs";
import { botChat } from "../bots.mjs";

const PLUGIN = { prefix: "/_hearth/plugins/receipts" };

export const receiptsBot = {
    name: "receipts-bot",
    plugins: ["receipts"],
    timeoutMs: 120_000,
    async run({ hs1 }) {
        const alice = await hs1.register("alice");
        const bob = await hs1.register("bob");
        const carol = await hs1.register("carol");
        const { room_id: room } = await alice.client.createRoom({ preset: sdk.Preset.PrivateChat,
            invite: [bob.userId, carol.userId] });
        await bob.client.joinRoom(room);
        await carol.client.joinRoom(room);

        const bobBot = await botChat(bob, "receipts");
        assert((await bobBot.ask("!help")).includes("!delivery off"), "the bot's !help names !delivery");
        assert((await bobBot.ask("!delivery off")).startsWith("Delivery receipts are off"), "!delivery off");
        assert((await bobBot.ask("!status")).startsWith("Delivery receipts: off."), "!status after !delivery off");
        const settings = await bob.client.http.authedRequest(sdk.Method.Get, "/settings", undefined, undefined, PLUGIN);
        assertEqual(settings, { delivery_receipts: false }, "bob's settings as the route answers them");

        const { event_id: message } = await alice.client.sendMessage(room, { msgtype: sdk.MsgType.Text, body: "hello both" });
        for (const user of [bob, carol]) await hs1.startSyncing(user.client);
        await hs1.startSyncing(alice.client);
        // Carol's syncing client acknowledges it: alice's client gets carol's delivered receipt, never bob's.
        const receiptsOf = () => {
            const r = alice.client.getRoom(room);
            const event = r?.findEventById(message);
            return event ? r.getReceiptsForEvent(event) : [];
        };
        await eventually(() => receiptsOf().some((r) => r.type === "org.hearth.delivered" && r.userId === carol.userId),
            "carol's org.hearth.delivered receipt in alice's client", 30_000);
        const aliceBot = await botChat(alice, "receipts");
        const report = await eventually(async () => {
            const answer = await aliceBot.ask(`!status ${message}`);
            return answer.includes(`${carol.userId}: delivered`) ? answer : null;
        }, "carol delivered in the bot's !status", 30_000);
        assert(report.includes(`${bob.userId}: sent`), `bob, with delivery receipts off, is sent: ${report}`);
        assert(!receiptsOf().some((r) => r.type === "org.hearth.delivered" && r.userId === bob.userId),
            "no delivered receipt of bob's");
    },
};
