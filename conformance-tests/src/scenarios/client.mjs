// The core Client-Server scenarios, through matrix-js-sdk as a real client uses it: its sync loop, its
// room model and its events. They must pass against any spec-compliant homeserver.
import * as sdk from "matrix-js-sdk";
import { assert, assertEqual, eventually, waitFor } from "../harness.mjs";
import { validatingFetch } from "../http.mjs";

const PAGINATED_MESSAGES = 200;

export const registerLogin = {
    name: "register-login",
    async run({ hs1 }) {
        const alice = await hs1.register("alice");
        const whoami = await alice.client.whoami();
        assertEqual(whoami.user_id, alice.userId, "user_id from /account/whoami");
        // A second device by password login, then logging the first one out.
        const other = hs1.anonymousClient();
        const login = await other.loginRequest({
            type: "m.login.password", identifier: { type: "m.id.user", user: alice.username }, password: alice.password,
        });
        assertEqual(login.user_id, alice.userId, "user_id from /login");
        await alice.client.logout();
        try {
            await alice.client.whoami();
            throw new Error("the logged-out access token still works");
        } catch (e) {
            assertEqual(e.errcode, "M_UNKNOWN_TOKEN", "errcode with a logged-out access token");
        }
        const secondDevice = sdk.createClient({ baseUrl: hs1.clientUrl, fetchFn: validatingFetch,
            accessToken: login.access_token, userId: login.user_id, deviceId: login.device_id });
        assertEqual((await secondDevice.whoami()).user_id, alice.userId, "user_id from whoami on the second device");
    },
};

function bodies(events) {
    return events.filter((e) => e.type === "m.room.message").map((e) => e.content?.body);
}

// Spec: Client-Server API, "Rooms", "Events", "Typing Notifications", "Receipts", "Event replacements",
// "Syncing" and "Getting events for a room" (/messages).
export const coreClient = {
    name: "core-client",
    timeoutMs: 180_000,
    async run({ hs1 }) {
        const alice = await hs1.register("alice");
        const bob = await hs1.register("bob");
        await Promise.all([hs1.startSyncing(alice.client), hs1.startSyncing(bob.client)]);
        await chat({ alice, bob, via: undefined });
    },
};

// The same conversation, with alice and bob on two homeservers that reach each other over federation.
export const federationChat = {
    name: "federation-chat",
    servers: 2,
    timeoutMs: 180_000,
    async run({ hs1, hs2 }) {
        const alice = await hs1.register("alice");
        const bob = await hs2.register("bob");
        await Promise.all([hs1.startSyncing(alice.client), hs2.startSyncing(bob.client)]);
        await chat({ alice, bob, via: alice.userId.slice(alice.userId.indexOf(":") + 1) });
    },
};

async function chat({ alice, bob, via }) {
    const a = alice.client, b = bob.client;

    const { room_id: roomId } = await a.createRoom({ preset: sdk.Preset.PrivateChat, name: "conformance" });
    const invited = waitFor(b, sdk.RoomEvent.MyMembership, (room, membership) => room.roomId === roomId && membership === "invite",
        "bob's invite to arrive by sync");
    await a.invite(roomId, bob.userId);
    await invited;

    const bobJoined = waitFor(a, sdk.RoomStateEvent.Members, (event, state, member) =>
        event.getRoomId() === roomId && member.userId === bob.userId && member.membership === "join", "bob's join, seen by alice");
    await b.joinRoom(roomId, via ? { viaServers: [via] } : undefined);
    await bobJoined;

    // Messages both ways, each seen by the other side's sync.
    const seen = (client, body, timeoutMs) => waitFor(client, sdk.RoomEvent.Timeline, (event) =>
        event.getRoomId() === roomId && event.getContent().body === body, `"${body}" to reach ${client.getUserId()}`, timeoutMs);
    let arrived = seen(b, "hello bob");
    const { event_id: helloId } = await a.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "hello bob" });
    const [helloAtBob] = await arrived;
    assertEqual(helloAtBob.getId(), helloId, "event_id of alice's message at bob");
    assertEqual(helloAtBob.getSender(), alice.userId, "sender of alice's message at bob");
    arrived = seen(a, "hello alice");
    await b.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "hello alice" });
    const [helloAtAlice] = await arrived;

    // An edit is a new event relating to the original (m.replace); bob sees it and can list it as a relation.
    arrived = seen(b, "* hello bob, edited");
    const { event_id: editId } = await a.sendMessage(roomId, {
        msgtype: sdk.MsgType.Text, body: "* hello bob, edited",
        "m.new_content": { msgtype: sdk.MsgType.Text, body: "hello bob, edited" },
        "m.relates_to": { rel_type: sdk.RelationType.Replace, event_id: helloId },
    });
    const [editAtBob] = await arrived;
    assertEqual(editAtBob.getRelation()?.event_id, helloId, "m.relates_to of the edit at bob");
    const relations = await b.relations(roomId, helloId, sdk.RelationType.Replace, sdk.EventType.RoomMessage);
    assert(relations.events.some((e) => e.getId() === editId), `the edit ${editId} is not among the original's m.replace relations`);

    // Typing: bob types, alice's sync delivers it.
    const typing = waitFor(a, sdk.RoomMemberEvent.Typing, (event, member) =>
        member.roomId === roomId && member.userId === bob.userId && member.typing, "bob's typing notification at alice");
    await b.sendTyping(roomId, true, 10_000);
    await typing;

    // Receipts: alice reads bob's message, bob's sync delivers the receipt.
    const receipt = waitFor(b, sdk.RoomEvent.Receipt, (event, room) => room.roomId === roomId
        && event.getContent()[helloAtAlice.getId()]?.[sdk.ReceiptType.Read]?.[alice.userId] !== undefined,
        "alice's read receipt at bob");
    await a.sendReceipt(helloAtAlice, sdk.ReceiptType.Read);
    await receipt;

    // Pagination: many messages, read back from the newest with /messages, with no gap and no duplicate.
    const lastArrives = seen(b, `msg ${PAGINATED_MESSAGES - 1}`, 150_000);
    for (let i = 0; i < PAGINATED_MESSAGES; i++) {
        await a.sendEvent(roomId, sdk.EventType.RoomMessage, { msgtype: sdk.MsgType.Text, body: `msg ${i}` });
    }
    await lastArrives;
    // From the newest event (no `from`, spec v1.3) back to the conversation before the numbered messages.
    const ids = new Set(), numbered = [], seenBodies = new Set();
    let from = null;
    for (let page = 0; page < 100 && !seenBodies.has("hello bob"); page++) {
        const res = await b.createMessagesRequest(roomId, from, 30, sdk.Direction.Backward);
        for (const event of res.chunk) {
            assert(!ids.has(event.event_id), `event ${event.event_id} came twice while paginating back`);
            ids.add(event.event_id);
        }
        for (const body of bodies(res.chunk)) {
            seenBodies.add(body);
            if (/^msg \d+$/.test(body)) numbered.push(Number(body.slice(4)));
        }
        if (!res.end || res.chunk.length === 0) break;
        from = res.end;
    }
    const expected = Array.from({ length: PAGINATED_MESSAGES }, (_, i) => PAGINATED_MESSAGES - 1 - i);
    const firstWrong = expected.findIndex((n, i) => numbered[i] !== n);
    assert(firstWrong === -1 && numbered.length === PAGINATED_MESSAGES,
        `paginating back gave ${numbered.length} numbered messages; at position ${firstWrong} expected msg ${expected[firstWrong]}, got msg ${numbered[firstWrong]}`);
    assert(seenBodies.has("hello bob"), "the conversation before the numbered messages is not reachable by paginating back");

    // Leaving: alice sees bob's membership change, and the room is no longer among bob's joined rooms.
    const left = waitFor(a, sdk.RoomStateEvent.Members, (event, state, member) =>
        event.getRoomId() === roomId && member.userId === bob.userId && member.membership === "leave", "bob's leave, seen by alice");
    await b.leave(roomId);
    await left;
    await eventually(async () => !(await b.getJoinedRooms()).joined_rooms.includes(roomId), "the room to leave bob's joined rooms");
}

// Spec: Client-Server API, "Profiles", "Getting events for a room" (state) and "Redactions".
export const roomStateProfile = {
    name: "room-state-profile",
    async run({ hs1 }) {
        const alice = await hs1.register("alice");
        const a = alice.client;
        await a.setDisplayName("Alice Conformance");
        assertEqual((await a.getProfileInfo(alice.userId)).displayname, "Alice Conformance", "displayname from the profile");

        const { room_id: roomId } = await a.createRoom({ preset: sdk.Preset.PrivateChat, name: "state" });
        await a.sendStateEvent(roomId, sdk.EventType.RoomTopic, { topic: "conformance topic" }, "");
        assertEqual((await a.getStateEvent(roomId, sdk.EventType.RoomTopic, "")).topic, "conformance topic", "topic from the state event");
        const state = await a.roomState(roomId);
        for (const type of [sdk.EventType.RoomCreate, sdk.EventType.RoomMember, sdk.EventType.RoomPowerLevels, sdk.EventType.RoomTopic]) {
            assert(state.some((e) => e.type === type), `no ${type} in the room's state`);
        }
        const me = state.find((e) => e.type === sdk.EventType.RoomMember && e.state_key === alice.userId);
        assertEqual(me?.content?.membership, "join", "alice's membership in the room's state");

        // A redacted message keeps its ID but loses its content.
        const { event_id: eventId } = await a.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "to be redacted" });
        await a.redactEvent(roomId, eventId, undefined, { reason: "conformance" });
        const redacted = await eventually(async () => {
            const event = await a.fetchRoomEvent(roomId, eventId);
            return event.unsigned?.redacted_because ? event : null;
        }, "the message to show as redacted");
        assertEqual(redacted.event_id, eventId, "event_id of the redacted message");
        assertEqual(redacted.content, {}, "content of the redacted message");
    },
};
