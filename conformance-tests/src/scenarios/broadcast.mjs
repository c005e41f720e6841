// The broadcast plugin as a client uses it: a list created through the plugin is a room whose only member is the
// sender; writing in it from an unmodified client sends the message into each recipient's own DM with the sender
// (recipients never see each other) and a notice in the list room reports it per recipient; bad input is refused.
// Runs against a server with the plugin (HEARTH_TEST_PLUGINS, or the Maven build, which loads plugins/broadcast).
import * as sdk from "matrix-js-sdk";
import { assert, assertEqual, eventually } from "../harness.mjs";

const PLUGIN = { prefix: "/_hearth/plugins/broadcast" };

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

export const broadcast = {
    name: "broadcast",
    plugins: ["broadcast"],
    timeoutMs: 120_000,
    async run({ hs1 }) {
        const alice = await hs1.register("alice");
        const bob = await hs1.register("bob");
        const carol = await hs1.register("carol");
        const req = (method, path, body) => alice.client.http.authedRequest(method, path, undefined, body, PLUGIN);

        await refused(req(sdk.Method.Post, "/lists", { name: "" }), 400, "M_BAD_JSON", "a list without a name");
        await refused(req(sdk.Method.Post, "/lists", { name: "x", recipients: ["bob"] }), 400, "M_INVALID_PARAM",
            "a recipient that is no user ID");
        assertEqual((await req(sdk.Method.Get, "/lists")).lists, [], "lists after refused requests");

        const { list_id: listRoom } = await req(sdk.Method.Post, "/lists", { name: "Friends", recipients: [bob.userId, carol.userId] });
        const { joined } = await alice.client.getJoinedRoomMembers(listRoom);
        assertEqual(Object.keys(joined), [alice.userId], "the list room's members");

        await alice.client.sendMessage(listRoom, { msgtype: sdk.MsgType.Text, body: "party at 8" });
        await eventually(async () => {
            const page = await alice.client.createMessagesRequest(listRoom, null, 20, sdk.Direction.Backward);
            return page.chunk.some((e) => e.content?.msgtype === "m.notice" && e.content.body.startsWith("Sent to 2 of 2"));
        }, "the delivery report in the list room", 30_000);

        for (const [recipient, other] of [[bob, carol], [carol, bob]]) {
            await hs1.startSyncing(recipient.client);
            const dm = await eventually(() => recipient.client.getRooms().find((r) => r.getMyMembership() === "invite"),
                `${recipient.userId} is invited to a DM`, 30_000);
            await recipient.client.joinRoom(dm.roomId);
            const page = await recipient.client.createMessagesRequest(dm.roomId, null, 20, sdk.Direction.Backward);
            const message = page.chunk.find((e) => e.type === "m.room.message");
            assertEqual([message?.sender, message?.content?.body], [alice.userId, "party at 8"], "the message in the DM");
            const members = await recipient.client.getJoinedRoomMembers(dm.roomId);
            assert(!(other.userId in members.joined), `${recipient.userId} must not see ${other.userId}`);
        }
    },
};
