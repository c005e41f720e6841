// The invites plugin as a client uses it, through its bot only: alice, admin of a private room, asks @invites for a
// link in a DM; bob, who cannot join the private room, sends the link to the bot and ends up joined; a revoked code
// fails; the link's page opens in a browser without a token. Runs against a server with the plugin
// (HEARTH_TEST_PLUGINS, or the Maven build, which loads plugins/invites).
import * as sdk from "matrix-js-sdk";
import { assert, assertEqual } from "../harness.mjs";
import { botChat } from "../bots.mjs";

export const invites = {
    name: "invites",
    plugins: ["invites"],
    timeoutMs: 120_000,
    async run({ hs1 }) {
        const alice = await hs1.register("alice");
        const bob = await hs1.register("bob");
        const carol = await hs1.register("carol");
        const { room_id: room } = await alice.client.createRoom({ preset: sdk.Preset.PrivateChat, name: "Book club" });
        try {
            await bob.client.joinRoom(room);
            throw new Error("bob joined a private room uninvited");
        } catch (e) {
            if (!e.httpStatus) throw e;
            assertEqual([e.httpStatus, e.errcode], [403, "M_FORBIDDEN"], "joining the private room uninvited");
        }

        const aliceBot = await botChat(alice, "invites");
        assert((await aliceBot.ask("!help")).includes("!create"), "the bot's !help names !create");
        const created = await aliceBot.ask(`!create ${room} 1d uses 2`);
        const code = /Code: ([A-Za-z0-9]{16})/.exec(created)?.[1];
        assert(code, `the bot's answer to !create has a code: ${created}`);
        const url = /(https?:\/\/\S+\/web\/link\/[A-Za-z0-9]{16})/.exec(created)?.[1];
        assert(url, `the bot's answer to !create has a link: ${created}`);

        // The page a browser opens (on this server: the link's host is the server name, not where the suite runs it).
        const page = await fetch(`${hs1.clientUrl}/_hearth/plugins/invites/web/link/${code}`);
        assertEqual(page.status, 200, "the link page's status");
        assert((await page.text()).includes(`!redeem ${code}`), "the link page tells how to redeem");

        const bobBot = await botChat(bob, "invites");
        const joined = await bobBot.ask(`here: ${url}`);
        assert(joined.startsWith("You joined Book club"), `the bot's answer to the link: ${joined}`);
        const { joined: members } = await alice.client.getJoinedRoomMembers(room);
        assert(bob.userId in members, "bob is joined to the private room");
        assert((await aliceBot.ask(`!list ${room}`)).includes(`${code}: active, 1 of 2 uses`), "!list shows one use of two");

        // Revoked: carol's redeem fails and she is not in the room.
        assert((await aliceBot.ask(`!revoke ${room} ${code}`)).startsWith("Revoked"), "!revoke");
        const carolBot = await botChat(carol, "invites");
        const refused = await carolBot.ask(`!redeem ${code}`);
        assert(refused.includes("Unknown or revoked"), `the bot's answer to a revoked code: ${refused}`);
        const state = await alice.client.getStateEvent(room, "m.room.member", carol.userId).catch((e) => e.errcode);
        assertEqual(state, "M_NOT_FOUND", "carol's membership after the revoked code");
        // A member who is no admin cannot make links.
        assert((await bobBot.ask(`!create ${room}`)).includes("Only those who may change the join rules"),
            "bob, an ordinary member, is refused");
    },
};
