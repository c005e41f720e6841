// Membership across two homeservers, through matrix-js-sdk: a user of the second server joins a room of the first
// by alias, leaves, is invited back, is banned. Spec: Server-Server API, "Joining Rooms", "Leaving Rooms",
// "Inviting to a room", "Querying for information" (directory).
import * as sdk from "matrix-js-sdk";
import { assert, assertEqual, waitFor } from "../harness.mjs";

export const federationMembership = {
    name: "federation-membership",
    servers: 2,
    timeoutMs: 180_000,
    async run({ hs1, hs2 }) {
        const alice = await hs1.register("alice");
        const bob = await hs2.register("bob");
        await Promise.all([hs1.startSyncing(alice.client), hs2.startSyncing(bob.client)]);
        const a = alice.client, b = bob.client;
        const serverA = alice.userId.slice(alice.userId.indexOf(":") + 1);
        const localpart = `lounge${Date.now()}`;
        const { room_id: roomId } = await a.createRoom({ preset: sdk.Preset.PublicChat, name: "lounge",
            room_alias_name: localpart });
        const alias = `#${localpart}:${serverA}`;
        const membershipAtAlice = (membership) => waitFor(a, sdk.RoomStateEvent.Members, (event, state, member) =>
            event.getRoomId() === roomId && member.userId === bob.userId && member.membership === membership,
            `bob's ${membership}, seen by alice`);
        const membershipAtBob = (membership) => waitFor(b, sdk.RoomEvent.MyMembership, (room, m) =>
            room.roomId === roomId && m === membership, `bob's ${membership}, seen by bob`);

        // The alias of the other server resolves through it.
        const resolved = await b.getRoomIdForAlias(alias);
        assertEqual(resolved.room_id, roomId, "room_id of the remote alias");

        let seen = membershipAtAlice("join");
        await b.joinRoom(alias);
        await seen;

        seen = membershipAtAlice("leave");
        await b.leave(roomId);
        await seen;

        let arrived = membershipAtBob("invite");
        await a.invite(roomId, bob.userId);
        await arrived;
        seen = membershipAtAlice("join");
        await b.joinRoom(roomId, { viaServers: [serverA] });
        await seen;

        arrived = membershipAtBob("ban");
        await a.ban(roomId, bob.userId, "conformance");
        await arrived;
        try {
            await b.joinRoom(alias);
            throw new Error("a banned user joined again");
        } catch (e) {
            assertEqual(e.errcode, "M_FORBIDDEN", "errcode of a banned user's join");
        }
        assert(a.getRoom(roomId).getMember(bob.userId).membership === "ban", "bob is not banned at alice");
    },
};
