// A real end-to-end encrypted conversation: matrix-js-sdk's Rust crypto (matrix-sdk-crypto-wasm) on two
// clients, which upload their own keys, query and claim each other's, share the Megolm room key by to-device
// messages and decrypt what the other sent. The homeserver only carries opaque ciphertext.
import * as sdk from "matrix-js-sdk";
import { assert, assertEqual, waitFor } from "../harness.mjs";

async function withCrypto(hs1, prefix) {
    const user = await hs1.register(prefix);
    await user.client.initRustCrypto({ useIndexedDB: false });
    await hs1.startSyncing(user.client);
    return user;
}

/**
 * Resolves with the client's copy of the event once it is decrypted (or fails if it cannot be). `sending`
 * resolves to the send response: the listener is in place before the event can arrive.
 */
function decrypted(client, roomId, sending) {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for a message to decrypt at ${client.getUserId()}`)), 30_000);
        const check = async (event) => {
            const { event_id: eventId } = await sending;
            if (event.getRoomId() !== roomId || event.getId() !== eventId) return;
            await client.decryptEventIfNeeded(event);
            if (event.isDecryptionFailure()) {
                clearTimeout(timer);
                client.off(sdk.RoomEvent.Timeline, check);
                reject(new Error(`${client.getUserId()} could not decrypt ${eventId}: ${event.decryptionFailureReason} ${event.getContent().body ?? ""}`));
            } else if (event.getClearContent()) {
                clearTimeout(timer);
                client.off(sdk.RoomEvent.Timeline, check);
                resolve(event);
            } else {
                event.once(sdk.MatrixEventEvent.Decrypted, () => check(event));
            }
        };
        client.on(sdk.RoomEvent.Timeline, check);
    });
}

// Spec: Client-Server API, "End-to-End Encryption" (m.olm.v1.curve25519-aes-sha2 to-device key sharing,
// m.megolm.v1.aes-sha2 room messages), "Send-to-Device messaging", device_lists and one-time key counts in /sync.
export const e2eeRoundTrip = {
    name: "e2ee-round-trip",
    timeoutMs: 120_000,
    async run({ hs1, note }) {
        const alice = await withCrypto(hs1, "alice");
        const bob = await withCrypto(hs1, "bob");
        const a = alice.client, b = bob.client;

        // Each client published its device keys: the other finds them.
        const aliceDevice = a.getDeviceId();
        const query = await b.downloadKeysForUsers([alice.userId]);
        assert(query.device_keys?.[alice.userId]?.[aliceDevice]?.keys?.[`ed25519:${aliceDevice}`],
            `alice's crypto did not publish her device keys: ${JSON.stringify(query.device_keys)}`);

        const { room_id: roomId } = await a.createRoom({
            preset: sdk.Preset.PrivateChat, name: "secret",
            initial_state: [{ type: sdk.EventType.RoomEncryption, state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
        });
        const invited = waitFor(b, sdk.RoomEvent.MyMembership, (room, membership) => room.roomId === roomId && membership === "invite",
            "bob's invite to arrive by sync");
        await a.invite(roomId, bob.userId);
        await invited;
        const joined = waitFor(a, sdk.RoomStateEvent.Members, (event, state, member) =>
            event.getRoomId() === roomId && member.userId === bob.userId && member.membership === "join", "bob's join, seen by alice");
        await b.joinRoom(roomId);
        await joined;
        assert(await a.getCrypto().isEncryptionEnabledInRoom(roomId), "alice's crypto does not see the room as encrypted");

        // Alice -> bob.
        const sending = a.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "top secret" });
        const arrives = decrypted(b, roomId, sending);
        const sent = await sending;
        const raw = await b.fetchRoomEvent(roomId, sent.event_id);
        assertEqual(raw.type, sdk.EventType.RoomMessageEncrypted, "type of alice's message as the server stores it");
        assertEqual(raw.content.algorithm, "m.megolm.v1.aes-sha2", "algorithm of alice's encrypted message");
        assert(!JSON.stringify(raw).includes("top secret"), "the server holds alice's message in clear");
        const atBob = await arrives;
        assertEqual(atBob.getClearContent()?.body, "top secret", "body of alice's message decrypted by bob");
        assertEqual(atBob.getSender(), alice.userId, "sender of the decrypted message");

        // Bob -> alice.
        const replying = b.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "secret reply" });
        const atAlice = await decrypted(a, roomId, replying);
        assertEqual(atAlice.getClearContent()?.body, "secret reply", "body of bob's reply decrypted by alice");
        note(`e2ee-round-trip: alice ${aliceDevice} and bob ${b.getDeviceId()} exchanged Megolm messages through Rust crypto`);
    },
};

// The same conversation across two servers: keys queried and one-time keys claimed over federation
// (/user/keys/query, /user/devices, /user/keys/claim), the room key carried by m.direct_to_device EDUs.
// Spec: Server-Server API, "End-to-End Encryption", "Send-to-device messaging", "Device Management".
export const e2eeAcrossServers = {
    name: "e2ee-across-servers",
    servers: 2,
    needs: ["federation"],
    timeoutMs: 180_000,
    async run({ hs1, hs2, note }) {
        const alice = await withCrypto(hs1, "alice");
        const bob = await withCrypto(hs2, "bob");
        const a = alice.client, b = bob.client;
        const aliceServer = hs1.serverName ?? alice.userId.slice(alice.userId.indexOf(":") + 1);

        // Bob's server asks alice's for her keys.
        const aliceDevice = a.getDeviceId();
        const query = await b.downloadKeysForUsers([alice.userId]);
        assert(query.device_keys?.[alice.userId]?.[aliceDevice]?.keys?.[`ed25519:${aliceDevice}`],
            `bob's server did not get alice's device keys over federation: ${JSON.stringify(query)}`);

        const { room_id: roomId } = await a.createRoom({
            preset: sdk.Preset.PrivateChat, name: "secret across",
            initial_state: [{ type: sdk.EventType.RoomEncryption, state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
        });
        const invited = waitFor(b, sdk.RoomEvent.MyMembership, (room, membership) => room.roomId === roomId && membership === "invite",
            "bob's invite to arrive over federation");
        await a.invite(roomId, bob.userId);
        await invited;
        const joined = waitFor(a, sdk.RoomStateEvent.Members, (event, state, member) =>
            event.getRoomId() === roomId && member.userId === bob.userId && member.membership === "join", "bob's join, seen by alice");
        await b.joinRoom(roomId, { viaServers: [aliceServer] });
        await joined;

        const sending = a.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "secret over federation" });
        const arrives = decrypted(b, roomId, sending);
        await sending;
        const atBob = await arrives;
        assertEqual(atBob.getClearContent()?.body, "secret over federation", "body of alice's message decrypted by bob on the other server");

        const replying = b.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "secret reply over federation" });
        const atAlice = await decrypted(a, roomId, replying);
        assertEqual(atAlice.getClearContent()?.body, "secret reply over federation", "body of bob's reply decrypted by alice");
        note(`e2ee-across-servers: ${alice.userId} and ${bob.userId} exchanged Megolm messages across two servers`);
    },
};
