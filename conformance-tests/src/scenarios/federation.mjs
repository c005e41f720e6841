// Membership across two homeservers, through matrix-js-sdk: a user of the second server joins a room of the first
// by alias, leaves, is invited back, is banned. Spec: Server-Server API, "Joining Rooms", "Leaving Rooms",
// "Inviting to a room", "Querying for information" (directory).
import * as sdk from "matrix-js-sdk";
import { assert, assertEqual, eventually, waitFor } from "../harness.mjs";

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

// Shared setup: alice (first server) creates a public room, bob (second server) joins it by room ID.
async function sharedRoom(hs1, hs2, { history = 0 } = {}) {
    const alice = await hs1.register("alice");
    const bob = await hs2.register("bob");
    await Promise.all([hs1.startSyncing(alice.client), hs2.startSyncing(bob.client)]);
    const a = alice.client, b = bob.client;
    const serverA = alice.userId.slice(alice.userId.indexOf(":") + 1);
    const { room_id: roomId } = await a.createRoom({ preset: sdk.Preset.PublicChat, name: "consistency" });
    for (let i = 0; i < history; i++) {
        await a.sendEvent(roomId, sdk.EventType.RoomMessage, { msgtype: sdk.MsgType.Text, body: `early ${i}` });
    }
    const joined = waitFor(a, sdk.RoomStateEvent.Members, (event, state, member) =>
        event.getRoomId() === roomId && member.userId === bob.userId && member.membership === "join", "bob's join, seen by alice");
    await b.joinRoom(roomId, { viaServers: [serverA] });
    await joined;
    return { alice, bob, a, b, roomId };
}

const seenBy = (client, roomId, body, timeoutMs) => waitFor(client, sdk.RoomEvent.Timeline, (event) =>
    event.getRoomId() === roomId && event.getContent().body === body, `"${body}" to reach ${client.getUserId()}`, timeoutMs);

// Message bodies of the room as `client`'s server has them, oldest first, read back with /messages from the newest.
async function bodiesOldestFirst(client, roomId, pages = 20) {
    const bodies = [];
    let from = null;
    for (let page = 0; page < pages; page++) {
        const res = await client.createMessagesRequest(roomId, from, 50, sdk.Direction.Backward);
        for (const event of res.chunk) {
            if (event.type === sdk.EventType.RoomMessage && typeof event.content?.body === "string") bodies.push(event.content.body);
        }
        if (!res.end || res.chunk.length === 0) break;
        from = res.end;
    }
    return bodies.reverse();
}

function assertInOrder(bodies, expected, what) {
    const got = bodies.filter((b) => expected.includes(b));
    assertEqual(got, expected, what);
}

// History from before bob's join: his server got only the state with the join, so paginating back it must
// backfill the earlier messages from alice's. Spec: Server-Server API, "Backfilling and retrieving missing events".
export const federationBackfill = {
    name: "federation-backfill",
    servers: 2,
    timeoutMs: 120_000,
    async run({ hs1, hs2 }) {
        const HISTORY = 30;
        const { b, roomId } = await sharedRoom(hs1, hs2, { history: HISTORY });
        const early = Array.from({ length: HISTORY }, (_, i) => `early ${i}`);
        assertInOrder(await bodiesOldestFirst(b, roomId), early, "messages from before bob's join, paginated back at bob's server");
    },
};

// What federation-chat does one way, the other way: alice's typing reaches bob, bob's receipt and edit reach
// alice. Spec: Server-Server API, "Typing Notifications", "Receipts"; Client-Server "Event replacements".
export const federationBothWays = {
    name: "federation-both-ways",
    servers: 2,
    timeoutMs: 180_000,
    async run({ hs1, hs2 }) {
        const { alice, bob, a, b, roomId } = await sharedRoom(hs1, hs2);

        const typing = waitFor(b, sdk.RoomMemberEvent.Typing, (event, member) =>
            member.roomId === roomId && member.userId === alice.userId && member.typing, "alice's typing notification at bob");
        await a.sendTyping(roomId, true, 10_000);
        await typing;

        let arrived = seenBy(a, roomId, "from alice");
        const sent = seenBy(b, roomId, "from alice");
        await a.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "from alice" });
        const [[fromAlice]] = await Promise.all([sent, arrived]);

        const receipt = waitFor(a, sdk.RoomEvent.Receipt, (event, room) => room.roomId === roomId
            && event.getContent()[fromAlice.getId()]?.[sdk.ReceiptType.Read]?.[bob.userId] !== undefined,
            "bob's read receipt at alice");
        await b.sendReceipt(fromAlice, sdk.ReceiptType.Read);
        await receipt;

        arrived = seenBy(a, roomId, "hi from bob");
        const { event_id: originalId } = await b.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "hi from bob" });
        await arrived;
        arrived = seenBy(a, roomId, "* hi from bob, edited");
        const { event_id: editId } = await b.sendMessage(roomId, {
            msgtype: sdk.MsgType.Text, body: "* hi from bob, edited",
            "m.new_content": { msgtype: sdk.MsgType.Text, body: "hi from bob, edited" },
            "m.relates_to": { rel_type: sdk.RelationType.Replace, event_id: originalId },
        });
        const [editAtAlice] = await arrived;
        assertEqual(editAtAlice.getRelation()?.event_id, originalId, "m.relates_to of bob's edit at alice");
        const relations = await a.relations(roomId, originalId, sdk.RelationType.Replace, sdk.EventType.RoomMessage);
        assert(relations.events.some((e) => e.getId() === editId), `bob's edit ${editId} is not among the original's m.replace relations at alice`);
    },
};

// The second server is stopped while alice keeps talking; once it is started again (same database and ports) it
// has every message, in order, and bob can answer. Spec: Server-Server API, "Transactions" (the sender retries
// until the destination is back).
export const federationRestart = {
    name: "federation-restart",
    servers: 2,
    needs: ["restart"],
    timeoutMs: 240_000,
    async run({ hs1, hs2 }) {
        const DOWN = 20;
        const { a, b, roomId } = await sharedRoom(hs1, hs2);
        const before = seenBy(b, roomId, "before the outage");
        await a.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "before the outage" });
        await before;

        b.stopClient();
        await hs2.stopServer();
        const sent = Array.from({ length: DOWN }, (_, i) => `during the outage ${i}`);
        for (const body of sent) await a.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body });
        await hs2.startServer();

        const expected = ["before the outage", ...sent];
        let last = [];
        try {
            await eventually(async () => {
                last = (await bodiesOldestFirst(b, roomId)).filter((body) => expected.includes(body));
                return last.length === expected.length;
            }, "the messages sent during the outage at the restarted server", 150_000);
        } catch (e) {
            throw new Error(`${e.message}; it has ${JSON.stringify(last)}`);
        }
        assertEqual(last, expected, "messages at the restarted server, oldest first");

        const back = seenBy(a, roomId, "bob is back");
        await b.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "bob is back" });
        await back;
    },
};

// Both servers change the room's power levels at the same moment (a fork in the DAG); once each has the other's
// change, both resolve the room to the same state. Spec: Server-Server API, "Room State Resolution"; room
// version 2+ state resolution.
export const federationConcurrentPowerLevels = {
    name: "federation-concurrent-power-levels",
    servers: 2,
    timeoutMs: 180_000,
    async run({ hs1, hs2 }) {
        const { bob, a, b, roomId } = await sharedRoom(hs1, hs2);
        const powerLevels = async (client) => (await client.getStateEvent(roomId, sdk.EventType.RoomPowerLevels, ""));

        // Bob gets power 100 too, so both may change the power levels.
        const initial = await powerLevels(a);
        const promoted = { ...initial, users: { ...initial.users, [bob.userId]: 100 } };
        const { event_id: promotion } = await a.sendStateEvent(roomId, sdk.EventType.RoomPowerLevels, promoted, "");
        await eventually(async () => (await powerLevels(b)).users?.[bob.userId] === 100, "bob's promotion at bob's server", 60_000);
        await eventually(async () => {
            try { await b.fetchRoomEvent(roomId, promotion); return true; } catch { return false; }
        }, "the promotion event at bob's server", 60_000);

        // The same moment: neither server has the other's change when it creates its own.
        const [{ event_id: fromAlice }, { event_id: fromBob }] = await Promise.all([
            a.sendStateEvent(roomId, sdk.EventType.RoomPowerLevels, { ...promoted, state_default: 60, events: { ...promoted.events, "m.room.topic": 60 } }, ""),
            b.sendStateEvent(roomId, sdk.EventType.RoomPowerLevels, { ...promoted, state_default: 70, events: { ...promoted.events, "m.room.name": 70 } }, ""),
        ]);
        const has = (client, eventId) => client.fetchRoomEvent(roomId, eventId).then(() => true, () => false);
        await eventually(async () => (await has(a, fromBob)) && (await has(b, fromAlice)),
            "each server to have the other's power levels change", 90_000);
        // A message from each side merges the forks on both servers.
        const merged = [seenBy(a, roomId, "after, from bob", 60_000), seenBy(b, roomId, "after, from alice", 60_000)];
        await a.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "after, from alice" });
        await b.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "after, from bob" });
        await Promise.all(merged);

        const stateIds = async (client) => Object.fromEntries((await client.roomState(roomId))
            .map((e) => [`${e.type}|${e.state_key}`, e.event_id]).sort());
        let atA, atB;
        await eventually(async () => {
            [atA, atB] = await Promise.all([stateIds(a), stateIds(b)]);
            return JSON.stringify(atA) === JSON.stringify(atB);
        }, "both servers to resolve the room to the same state", 60_000).catch((e) => {
            throw new Error(`${e.message}: alice's server ${JSON.stringify(atA)}, bob's ${JSON.stringify(atB)}`);
        });
        const winner = atA[`${sdk.EventType.RoomPowerLevels}|`];
        assert(winner === fromAlice || winner === fromBob,
            `the resolved power levels ${winner} are neither alice's ${fromAlice} nor bob's ${fromBob}`);
        assertEqual(await powerLevels(a), await powerLevels(b), "power levels content at both servers");
    },
};
