// Finding and moving rooms as a client does: the public room directory (listing, search, pagination, aliases,
// visibility) and room upgrades (the tombstone a client follows to the replacement room).
import crypto from "node:crypto";
import * as sdk from "matrix-js-sdk";
import { assert, assertEqual, eventually, waitFor } from "../harness.mjs";

async function listed(client, term, options = {}) {
    const rooms = [];
    let since;
    for (let page = 0; page < 20; page++) {
        const res = await client.publicRooms({ filter: { generic_search_term: term }, since, ...options });
        rooms.push(...res.chunk);
        if (!res.next_batch || res.chunk.length === 0) break;
        since = res.next_batch;
    }
    return rooms;
}

// Spec: Client-Server API, "Listing rooms" (GET/POST /publicRooms, PUT/GET /directory/list/room) and
// "Room aliases" (GET /directory/room/{roomAlias}).
export const publicRooms = {
    name: "public-rooms",
    async run({ hs1 }) {
        const alice = await hs1.register("alice");
        const bob = await hs1.register("bob");
        const a = alice.client, b = bob.client;
        const tag = `lobby${crypto.randomBytes(4).toString("hex")}`;

        const { room_id: roomId } = await a.createRoom({ preset: sdk.Preset.PublicChat, visibility: sdk.Visibility.Public,
            name: `${tag} one`, topic: "a public room", room_alias_name: tag });
        const { room_id: secondId } = await a.createRoom({ preset: sdk.Preset.PublicChat, visibility: sdk.Visibility.Public,
            name: `${tag} two` });
        const { room_id: hiddenId } = await a.createRoom({ preset: sdk.Preset.PublicChat, name: `${tag} unlisted` });
        assertEqual((await a.getRoomDirectoryVisibility(roomId)).visibility, "public", "directory visibility of a room created public");
        assertEqual((await a.getRoomDirectoryVisibility(hiddenId)).visibility, "private", "directory visibility of a room created without visibility");

        // Bob searches the directory: the two public rooms, one page at a time, not the unlisted one.
        const found = await listed(b, tag, { limit: 1 });
        assertEqual(found.map((r) => r.room_id).sort(), [roomId, secondId].sort(), `rooms listed for "${tag}", one a page`);
        const one = found.find((r) => r.room_id === roomId);
        const alias = `#${tag}:${alice.userId.slice(alice.userId.indexOf(":") + 1)}`;
        assertEqual(one.name, `${tag} one`, "name of the listed room");
        assertEqual(one.topic, "a public room", "topic of the listed room");
        assertEqual(one.canonical_alias, alias, "canonical_alias of the listed room");
        assertEqual(one.num_joined_members, 1, "num_joined_members of the listed room");
        assertEqual(one.world_readable, false, "world_readable of the listed room");
        assertEqual(one.guest_can_join, false, "guest_can_join of the listed room");
        assertEqual(one.join_rule ?? "public", "public", "join_rule of the listed room");

        // The alias leads to the room; bob joins by it, and the directory counts him.
        const resolved = await b.getRoomIdForAlias(alias);
        assertEqual(resolved.room_id, roomId, "room_id the alias resolves to");
        assert(resolved.servers?.length > 0, "the alias resolves with no servers");
        await b.joinRoom(alias);
        const afterJoin = await listed(b, `${tag} one`);
        assertEqual(afterJoin.find((r) => r.room_id === roomId)?.num_joined_members, 2, "num_joined_members after bob joined by alias");

        // Taken out of the directory, the room is no longer listed; its alias still works.
        await a.setRoomDirectoryVisibility(roomId, sdk.Visibility.Private);
        const afterHide = await listed(b, tag);
        assertEqual(afterHide.map((r) => r.room_id), [secondId], `rooms listed for "${tag}" after one was made private`);
        assertEqual((await b.getRoomIdForAlias(alias)).room_id, roomId, "room_id the alias resolves to after leaving the directory");

        // The plain GET listing (no filter) works too and includes the remaining public room.
        const all = [];
        let since;
        for (let page = 0; page < 50; page++) {
            const res = await b.publicRooms({ limit: 50, since });
            all.push(...res.chunk.map((r) => r.room_id));
            if (!res.next_batch || res.chunk.length === 0) break;
            since = res.next_batch;
        }
        assert(all.includes(secondId), "GET /publicRooms does not list the public room");
        assert(!all.includes(hiddenId) && !all.includes(roomId), "GET /publicRooms lists a room that is not in the directory");
    },
};

// Spec: Client-Server API, "Room Upgrades" (POST /rooms/{roomId}/upgrade, m.room.tombstone, the predecessor in
// m.room.create, aliases moved) and "Capabilities" (m.room_versions).
export const roomUpgrade = {
    name: "room-upgrade",
    async run({ hs1, note }) {
        const alice = await hs1.register("alice");
        const bob = await hs1.register("bob");
        const a = alice.client, b = bob.client;
        await Promise.all([hs1.startSyncing(a), hs1.startSyncing(b)]);
        const tag = `upgrade${crypto.randomBytes(4).toString("hex")}`;
        const alias = `#${tag}:${alice.userId.slice(alice.userId.indexOf(":") + 1)}`;

        const capabilities = await a.getCapabilities();
        const versions = capabilities["m.room_versions"];
        assert(versions?.default, "the capabilities name no default room version");
        const stable = Object.entries(versions.available).filter(([, s]) => s === "stable").map(([v]) => v);
        const oldVersion = stable.includes("9") ? "9" : versions.default;
        const newVersion = stable.includes("10") ? "10" : versions.default;

        const { room_id: oldRoom } = await a.createRoom({ preset: sdk.Preset.PublicChat, room_version: oldVersion,
            name: "before the upgrade", topic: "old topic", room_alias_name: tag });
        const joined = waitFor(a, sdk.RoomStateEvent.Members, (event, state, member) =>
            event.getRoomId() === oldRoom && member.userId === bob.userId && member.membership === "join", "bob's join, seen by alice");
        await b.joinRoom(oldRoom);
        await joined;

        // Bob (an ordinary member) may not upgrade the room.
        try {
            await b.upgradeRoom(oldRoom, newVersion);
            throw new Error("bob, without the power level for m.room.tombstone, upgraded the room");
        } catch (e) {
            if (!e.httpStatus) throw e;
            assertEqual(e.errcode, "M_FORBIDDEN", "errcode of an upgrade by an ordinary member");
        }
        // An unknown room version is refused.
        try {
            await a.upgradeRoom(oldRoom, "no-such-version");
            throw new Error("an upgrade to an unknown room version was accepted");
        } catch (e) {
            if (!e.httpStatus) throw e;
            assertEqual(e.errcode, "M_UNSUPPORTED_ROOM_VERSION", "errcode of an upgrade to an unknown room version");
        }

        const tombstone = waitFor(b, sdk.RoomStateEvent.Events, (event) =>
            event.getRoomId() === oldRoom && event.getType() === sdk.EventType.RoomTombstone, "the tombstone at bob");
        const { replacement_room: newRoom } = await a.upgradeRoom(oldRoom, newVersion);
        assert(newRoom && newRoom !== oldRoom, `the upgrade answered replacement_room ${newRoom}`);

        // Bob's client sees the tombstone pointing at the new room.
        const [tombstoneEvent] = await tombstone;
        assertEqual(tombstoneEvent.getContent().replacement_room, newRoom, "replacement_room of the tombstone bob sees");
        assertEqual(tombstoneEvent.getSender(), alice.userId, "sender of the tombstone");
        assertEqual(b.getRoom(oldRoom)?.currentState.getStateEvents(sdk.EventType.RoomTombstone, "")?.getContent().replacement_room, newRoom,
            "replacement_room in bob's state of the old room");

        // The new room: its version, its predecessor, the state carried over, the alias moved.
        const create = await a.getStateEvent(newRoom, sdk.EventType.RoomCreate, "");
        assertEqual(create.room_version ?? "1", newVersion, "room_version of the replacement room");
        assertEqual(create.predecessor?.room_id, oldRoom, "predecessor.room_id in the replacement room's m.room.create");
        assertEqual((await a.getStateEvent(newRoom, sdk.EventType.RoomName, "")).name, "before the upgrade", "name carried to the replacement room");
        assertEqual((await a.getStateEvent(newRoom, sdk.EventType.RoomJoinRules, "")).join_rule, "public", "join rule carried to the replacement room");
        assertEqual((await a.getRoomIdForAlias(alias)).room_id, newRoom, "room the local alias resolves to after the upgrade");

        // Bob follows the tombstone; his client links the two rooms.
        const bobInNew = waitFor(b, sdk.RoomEvent.MyMembership, (room, membership) => room.roomId === newRoom && membership === "join",
            "bob's join of the replacement room at his client");
        await b.joinRoom(newRoom);
        await bobInNew;
        await eventually(() => b.getRoomUpgradeHistory(newRoom).map((r) => r.roomId).join() === [oldRoom, newRoom].join(),
            "bob's client to link the old room to the new one");

        // The old room is closed to ordinary members (SHOULD in the spec: a note, not a failure).
        try {
            await b.sendMessage(oldRoom, { msgtype: sdk.MsgType.Text, body: "anyone here?" });
            note("room-upgrade: an ordinary member can still send messages in the upgraded room (the spec says the power levels should prevent it)");
        } catch (e) {
            if (!e.httpStatus) throw e;
            assertEqual(e.errcode, "M_FORBIDDEN", "errcode of a message in the old room");
        }
    },
};

// Spec: Client-Server API, "Room Previews" (GET /rooms/{roomId}/initialSync and GET /events?room_id= for a
// world-readable room the user has not joined), as matrix-js-sdk's peekInRoom and Element's previews use them.
export const peekWorldReadable = {
    name: "peek-world-readable",
    async run({ hs1 }) {
        const alice = await hs1.register("alice");
        const bob = await hs1.register("bob");
        const a = alice.client, b = bob.client;
        const { room_id: roomId } = await a.createRoom({ preset: sdk.Preset.PublicChat, name: "preview me",
            initial_state: [{ type: "m.room.history_visibility", state_key: "", content: { history_visibility: "world_readable" } }] });
        for (let i = 1; i <= 3; i++) {
            await a.sendMessage(roomId, { msgtype: "m.text", body: `before ${i}` });
        }
        const bodies = (room) => room.getLiveTimeline().getEvents()
            .filter((e) => e.getType() === "m.room.message").map((e) => e.getContent().body);

        const room = await b.peekInRoom(roomId);
        assertEqual(room.name, "preview me", "name of the peeked room");
        assertEqual(bodies(room), ["before 1", "before 2", "before 3"], "messages bob sees when peeking");
        assertEqual(room.getMyMembership(), "leave", "bob's membership while peeking");
        // New messages reach the peeker through the /events long-poll.
        await a.sendMessage(roomId, { msgtype: "m.text", body: "while you look" });
        await eventually(() => bodies(room).includes("while you look"), "the new message in the peeked room");
        b.stopPeeking();

        // A room that is not world-readable cannot be peeked into.
        const { room_id: closedId } = await a.createRoom({ preset: sdk.Preset.PrivateChat });
        let refused;
        try {
            await b.roomInitialSync(closedId, 10);
        } catch (err) {
            refused = err;
        }
        assertEqual(refused?.errcode, "M_FORBIDDEN", "errcode when peeking into a private room");
    },
};
