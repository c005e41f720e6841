// A real end-to-end encrypted conversation: matrix-js-sdk's Rust crypto (matrix-sdk-crypto-wasm) on two
// clients, which upload their own keys, query and claim each other's, share the Megolm room key by to-device
// messages and decrypt what the other sent. The homeserver only carries opaque ciphertext.
import * as sdk from "matrix-js-sdk";
import { CryptoEvent, VerificationPhase, VerifierEvent } from "matrix-js-sdk/lib/crypto-api/index.js";
import { assert, assertEqual, eventually, waitFor } from "../harness.mjs";

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

const serverOf = (userId) => userId.slice(userId.indexOf(":") + 1);

/**
 * An encrypted room made by the first of `members`, the others invited and joined (over federation when on
 * another server); resolves once the creator sees every join.
 */
async function encryptedRoom(members, name, extra = {}) {
    const [creator, ...others] = members;
    const { room_id: roomId } = await creator.client.createRoom({
        preset: sdk.Preset.PrivateChat, name, ...extra,
        initial_state: [{ type: sdk.EventType.RoomEncryption, state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
    });
    for (const member of others) {
        const invited = waitFor(member.client, sdk.RoomEvent.MyMembership, (room, membership) => room.roomId === roomId && membership === "invite",
            `${member.userId}'s invite to arrive`);
        await creator.client.invite(roomId, member.userId);
        await invited;
        const joined = waitFor(creator.client, sdk.RoomStateEvent.Members, (event, state, m) =>
            event.getRoomId() === roomId && m.userId === member.userId && m.membership === "join", `${member.userId}'s join, seen by the creator`, 30_000);
        await member.client.joinRoom(roomId, { viaServers: [serverOf(creator.userId)] });
        await joined;
    }
    return roomId;
}

/** Every member in turn sends a message; every other member reads its plaintext. */
async function everyoneTalks(members, roomId) {
    for (const sender of members) {
        const body = `from ${sender.userId} ${Math.random().toString(36).slice(2)}`;
        const sending = sender.client.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body });
        const arrivals = members.filter((m) => m !== sender).map((m) => decrypted(m.client, roomId, sending).then((event) => [m, event]));
        const { event_id: eventId } = await sending;
        const raw = await sender.client.fetchRoomEvent(roomId, eventId);
        assertEqual(raw.type, sdk.EventType.RoomMessageEncrypted, `type of ${sender.userId}'s message as the server stores it`);
        assert(!JSON.stringify(raw).includes(body), `the server holds ${sender.userId}'s message in clear`);
        for (const [receiver, event] of await Promise.all(arrivals)) {
            assertEqual(event.getClearContent()?.body, body, `body of ${sender.userId}'s message decrypted by ${receiver.userId}`);
        }
    }
}

// Spec: Client-Server API, "End-to-End Encryption" with more than two members: the Megolm session is shared with
// every device of every member by Olm-encrypted to-device messages (one-time keys claimed for each).
export const e2eeGroup = {
    name: "e2ee-group",
    timeoutMs: 150_000,
    async run({ hs1, note }) {
        const members = [await withCrypto(hs1, "alice"), await withCrypto(hs1, "bob"), await withCrypto(hs1, "carol")];
        const roomId = await encryptedRoom(members, "secret group");
        await everyoneTalks(members, roomId);
        note(`e2ee-group: ${members.length} users each sent a Megolm message the other two decrypted`);
    },
};

// The group across two servers: alice and carol on one, bob on the other (room keys by m.direct_to_device EDUs
// both ways, device lists and one-time keys over federation).
export const e2eeGroupAcrossServers = {
    name: "e2ee-group-across-servers",
    servers: 2,
    needs: ["federation"],
    timeoutMs: 210_000,
    async run({ hs1, hs2, note }) {
        const members = [await withCrypto(hs1, "alice"), await withCrypto(hs2, "bob"), await withCrypto(hs1, "carol")];
        const roomId = await encryptedRoom(members, "secret group across");
        await everyoneTalks(members, roomId);
        note(`e2ee-group-across-servers: ${members.map((m) => m.userId).join(", ")} each sent a message the others decrypted`);
    },
};

// Spec: Client-Server API, "Server-side key backups" as Rust crypto uses them: bob's device backs up the room key
// it received; a new login of bob, which never got that key, restores the backup with the backup key and reads
// the old message.
export const e2eeBackupRestore = {
    name: "e2ee-backup-restore",
    timeoutMs: 150_000,
    async run({ hs1, note }) {
        const alice = await withCrypto(hs1, "alice");
        const bob = await withCrypto(hs1, "bob");
        const b = bob.client;
        await b.getCrypto().resetKeyBackup();
        const version = await eventually(() => b.getCrypto().getActiveSessionBackupVersion(), "bob's key backup to be active", 30_000);

        const roomId = await encryptedRoom([alice, bob], "backed up");
        const sending = alice.client.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "remember this" });
        const arrives = decrypted(b, roomId, sending);
        const { event_id: eventId } = await sending;
        await arrives;
        await eventually(async () => {
            const backup = await b.http.authedRequest(sdk.Method.Get, "/room_keys/keys", { version });
            return Object.keys(backup.rooms?.[roomId]?.sessions ?? {}).length > 0;
        }, "bob's device to back up the room key", 30_000);
        const backupKey = await b.getCrypto().getSessionBackupPrivateKey();
        assert(backupKey, "bob's crypto holds no backup private key");
        b.stopClient(); // the old device could otherwise share the key itself

        const login = await hs1.anonymousClient().loginRequest({
            type: "m.login.password", identifier: { type: "m.id.user", user: bob.username }, password: bob.password,
        });
        assert(login.device_id && login.device_id !== b.getDeviceId(), `the new login got device ${login.device_id}`);
        const b2 = sdk.createClient({ baseUrl: hs1.clientUrl, accessToken: login.access_token, userId: login.user_id, deviceId: login.device_id });
        hs1.clients.push(b2);
        await b2.initRustCrypto({ useIndexedDB: false });
        await hs1.startSyncing(b2);

        const old = await eventually(() => b2.getRoom(roomId)?.findEventById(eventId), "the old message in the new device's timeline", 30_000);
        await b2.decryptEventIfNeeded(old);
        assert(old.isDecryptionFailure(), "the new device decrypted the old message before restoring the backup");

        await b2.getCrypto().storeSessionBackupPrivateKey(backupKey, version);
        const restored = await b2.getCrypto().restoreKeyBackup();
        assert(restored.imported >= 1, `restoring the backup imported ${restored.imported} of ${restored.total} keys`);
        await eventually(async () => {
            await b2.decryptEventIfNeeded(old);
            return old.getClearContent()?.body === "remember this";
        }, "the new device to decrypt the old message after restoring the backup", 30_000);
        note(`e2ee-backup-restore: device ${login.device_id} restored ${restored.imported} key(s) from backup version ${version} and read the old message`);
    },
};

// Spec: Client-Server API, "Cross-signing" (/keys/device_signing/upload, /keys/signatures/upload, signatures in
// /keys/query) and "Short Authentication String (SAS) verification" over to-device messages: after alice and bob
// verify each other, each sees the other as verified by cross-signing.
export const e2eeCrossSigningVerified = {
    name: "e2ee-cross-signing-verified",
    timeoutMs: 150_000,
    async run({ hs1, note }) {
        const alice = await withCrypto(hs1, "alice");
        const bob = await withCrypto(hs1, "bob");
        const a = alice.client, b = bob.client;
        for (const user of [alice, bob]) {
            await user.client.getCrypto().bootstrapCrossSigning({
                authUploadDeviceSigningKeys: (makeRequest) => makeRequest({
                    type: "m.login.password", identifier: { type: "m.id.user", user: user.userId }, password: user.password,
                }),
            });
            assert(await user.client.getCrypto().isCrossSigningReady(), `${user.userId}'s cross-signing is not ready`);
        }
        // Sharing a room makes each track the other's devices and identity (device_lists in /sync).
        await encryptedRoom([alice, bob], "verify");
        for (const [me, other] of [[a, b], [b, a]]) {
            await eventually(async () => (await me.getCrypto().getUserDeviceInfo([other.getUserId()], true))
                .get(other.getUserId())?.has(other.getDeviceId()), `${me.getUserId()} to know ${other.getUserId()}'s device`, 30_000);
            await eventually(() => me.getCrypto().userHasCrossSigningKeys(other.getUserId(), true),
                `${me.getUserId()} to know ${other.getUserId()}'s cross-signing keys`, 30_000);
        }
        assert(!(await a.getCrypto().getUserVerificationStatus(bob.userId)).isCrossSigningVerified(), "bob is verified before any verification");

        const received = waitFor(b, CryptoEvent.VerificationRequestReceived, () => true, "alice's verification request at bob", 30_000);
        const request = await a.getCrypto().requestDeviceVerification(bob.userId, b.getDeviceId());
        const [bobRequest] = await received;
        await bobRequest.accept();
        await eventually(() => request.phase === VerificationPhase.Ready, "the verification request to be ready", 30_000);
        const confirmAll = (verifier) => verifier.on(VerifierEvent.ShowSas, (sas) => sas.confirm());
        const aliceVerifier = await request.startVerification("m.sas.v1");
        confirmAll(aliceVerifier);
        const aliceDone = aliceVerifier.verify();
        await eventually(() => bobRequest.verifier, "bob's side of the SAS verification", 30_000);
        confirmAll(bobRequest.verifier);
        await Promise.all([aliceDone, bobRequest.verifier.verify()]);

        await eventually(async () => (await a.getCrypto().getUserVerificationStatus(bob.userId)).isCrossSigningVerified(),
            "bob to show as cross-signing verified to alice", 30_000);
        await eventually(async () => (await b.getCrypto().getUserVerificationStatus(alice.userId)).isCrossSigningVerified(),
            "alice to show as cross-signing verified to bob", 30_000);
        // The signature went through the server: alice's user-signing key signs bob's master key there.
        const query = await a.downloadKeysForUsers([bob.userId]);
        const signers = Object.keys(query.master_keys?.[bob.userId]?.signatures?.[alice.userId] ?? {});
        assert(signers.length > 0, `no signature of alice on bob's master key in /keys/query: ${JSON.stringify(query.master_keys?.[bob.userId])}`);
        note(`e2ee-cross-signing-verified: alice and bob verified each other by SAS; the server carries alice's signature ${signers.join(", ")}`);
    },
};
