// The stories plugin as a client uses it: the author's story room (a custom room type, not federated), an
// audience that gets invited, viewers who join from an unmodified client and never see each other (their syncing
// client's room knows only the author and themselves), a view counted from a read receipt, bad input refused, and
// the bot answering !help in a DM. Runs against a server with the plugin (HEARTH_TEST_PLUGINS, or the Maven build,
// which loads plugins/stories).
import * as sdk from "matrix-js-sdk";
import { assert, assertEqual, eventually } from "../harness.mjs";

const PLUGIN = { prefix: "/_hearth/plugins/stories" };

async function refused(promise, status, errcode, what) {
    try {
        await promise;
    } catch (e) {
        if (!e.httpStatus) throw e;
        assertEqual([e.httpStatus, e.errcode], [status, errcode], `HTTP status and errcode of ${what}`);
        return;
    }
    throw new Error(`${what} succeeded`);
}

export const stories = {
    name: "stories",
    plugins: ["stories"],
    timeoutMs: 120_000,
    async run({ hs1 }) {
        const alice = await hs1.register("alice");
        const bob = await hs1.register("bob");
        const carol = await hs1.register("carol");
        const req = (user, method, path, body) => user.client.http.authedRequest(method, path, undefined, body, PLUGIN);

        await refused(req(alice, sdk.Method.Put, "/audience", { audience: "friends" }), 400, "M_BAD_JSON", "an unknown audience");
        await refused(req(alice, sdk.Method.Get, "/audience"), 404, "M_NOT_FOUND", "the audience before any was set");
        await req(alice, sdk.Method.Put, "/audience", { audience: "selected", users: [bob.userId, carol.userId] });
        const { room_id: roomId } = await req(alice, sdk.Method.Get, "/audience");
        const create = await alice.client.getStateEvent(roomId, "m.room.create", "");
        assertEqual([create.type, create["m.federate"]], ["org.hearth.stories", false], "the story room's type and m.federate");

        for (const viewer of [bob, carol]) {
            await eventually(async () => (await alice.client.getStateEvent(roomId, "m.room.member", viewer.userId)
                .catch(() => ({}))).membership === "invite",
                `${viewer.userId} is invited`, 30_000);
            await viewer.client.joinRoom(roomId);
        }
        const { event_id: storyId } = await alice.client.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "my day" });

        await hs1.startSyncing(bob.client);
        await eventually(() => bob.client.getRoom(roomId)?.getMember(alice.userId) != null, "bob's client knows the author", 30_000);
        const room = bob.client.getRoom(roomId);
        assert(room.getMember(carol.userId) === null, "bob's client must not know carol, another viewer");
        const { chunk } = await bob.client.http.authedRequest(sdk.Method.Get, `/rooms/${encodeURIComponent(roomId)}/members`);
        assertEqual(chunk.map((e) => e.state_key).sort(), [alice.userId, bob.userId].sort(), "the members bob sees");

        await bob.client.http.authedRequest(sdk.Method.Post,
            `/rooms/${encodeURIComponent(roomId)}/receipt/m.read/${encodeURIComponent(storyId)}`, undefined, {});
        await eventually(async () => (await req(alice, sdk.Method.Get, `/stories/${encodeURIComponent(storyId)}/views`)).views === 1,
            "the author sees one view", 30_000);
        await refused(req(bob, sdk.Method.Get, `/stories/${encodeURIComponent(storyId)}/views`), 403, "M_FORBIDDEN",
            "view counts asked by a viewer");

        const bot = `@stories:${alice.userId.slice(alice.userId.indexOf(":") + 1)}`;
        const { room_id: dm } = await alice.client.createRoom({ is_direct: true, preset: sdk.Preset.TrustedPrivateChat, invite: [bot] });
        await eventually(async () => (await alice.client.getStateEvent(dm, "m.room.member", bot).catch(() => ({}))).membership === "join",
            "the bot joins the DM", 30_000);
        await alice.client.sendMessage(dm, { msgtype: sdk.MsgType.Text, body: "!help" });
        await eventually(async () => {
            const page = await alice.client.createMessagesRequest(dm, null, 20, sdk.Direction.Backward);
            return page.chunk.some((e) => e.sender === bot && e.content?.msgtype === "m.notice" && e.content.body.includes("!story"));
        }, "the bot's answer to !help", 30_000);
    },
};
