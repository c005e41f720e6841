// End-to-end encryption key distribution without a crypto engine: device keys, one-time keys and fallback
// keys built and signed here (Ed25519 over canonical JSON), published with /keys/upload, found by another
// user with /keys/query and /keys/claim, their signatures verified on the way back.
import crypto from "node:crypto";
import anotherJson from "another-json";
import * as sdk from "matrix-js-sdk";
import { assert, assertEqual } from "../harness.mjs";

const unpadded = (buffer) => buffer.toString("base64").replace(/=+$/, "");

/** A device's Ed25519 signing key and Curve25519 identity key, raw public halves in unpadded base64. */
function deviceIdentity() {
    const signing = crypto.generateKeyPairSync("ed25519");
    const identity = crypto.generateKeyPairSync("x25519");
    const raw = (publicKey) => Buffer.from(publicKey.export({ format: "jwk" }).x, "base64url");
    return { signing, ed25519: unpadded(raw(signing.publicKey)), curve25519: unpadded(raw(identity.publicKey)) };
}

function sign(object, userId, keyId, privateKey) {
    const { signatures, unsigned, ...signed } = object;
    const signature = crypto.sign(null, Buffer.from(anotherJson.stringify(signed), "utf8"), privateKey);
    return { ...object, signatures: { ...signatures, [userId]: { ...signatures?.[userId], [keyId]: unpadded(signature) } } };
}

function verifies(object, userId, keyId, ed25519) {
    const { signatures, unsigned, ...signed } = object;
    const signature = signatures?.[userId]?.[keyId];
    if (!signature) return false;
    const publicKey = crypto.createPublicKey({
        key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(ed25519, "base64").toString("base64url") }, format: "jwk" });
    return crypto.verify(null, Buffer.from(anotherJson.stringify(signed), "utf8"), publicKey, Buffer.from(signature, "base64"));
}

function curveKey() {
    const pair = crypto.generateKeyPairSync("x25519");
    return unpadded(Buffer.from(pair.publicKey.export({ format: "jwk" }).x, "base64url"));
}

// Spec: Client-Server API, "End-to-End Encryption": "Uploading keys", "Downloading keys", "Claiming one-time
// keys", fallback keys, and device_lists / device_one_time_keys_count in /sync.
export const e2eeKeys = {
    name: "e2ee-keys",
    async run({ hs1 }) {
        const alice = await hs1.register("alice");
        const bob = await hs1.register("bob");
        const a = alice.client, b = bob.client;
        const deviceId = a.getDeviceId();
        const keyId = `ed25519:${deviceId}`;
        const me = deviceIdentity();

        // Bob shares a room with alice, and remembers where his sync stands.
        const { room_id: roomId } = await a.createRoom({ preset: sdk.Preset.PrivateChat, name: "keys" });
        await a.invite(roomId, bob.userId);
        await b.joinRoom(roomId);
        const before = await b.http.authedRequest(sdk.Method.Get, "/sync", { timeout: "0" });

        const deviceKeys = sign({
            user_id: alice.userId, device_id: deviceId,
            algorithms: ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"],
            keys: { [`curve25519:${deviceId}`]: me.curve25519, [keyId]: me.ed25519 },
        }, alice.userId, keyId, me.signing.privateKey);
        const otk = (n) => [`signed_curve25519:AAAAA${n}`, sign({ key: curveKey() }, alice.userId, keyId, me.signing.privateKey)];
        const oneTimeKeys = Object.fromEntries([otk("Q"), otk("g")]);
        const fallback = sign({ key: curveKey(), fallback: true }, alice.userId, keyId, me.signing.privateKey);
        const uploaded = await a.uploadKeysRequest({
            device_keys: deviceKeys, one_time_keys: oneTimeKeys,
            fallback_keys: { "signed_curve25519:AAAAHQ": fallback },
        });
        assertEqual(uploaded.one_time_key_counts?.signed_curve25519, 2, "signed_curve25519 count after uploading two one-time keys");

        // Bob's next sync says alice's devices changed.
        const after = await b.http.authedRequest(sdk.Method.Get, "/sync", { since: before.next_batch, timeout: "5000" });
        assert(after.device_lists?.changed?.includes(alice.userId),
            `alice is not in bob's device_lists.changed after she uploaded device keys: ${JSON.stringify(after.device_lists)}`);

        // Bob queries alice's keys: exactly what she signed, with her signature intact.
        const query = await b.downloadKeysForUsers([alice.userId]);
        const found = query.device_keys?.[alice.userId]?.[deviceId];
        assert(found, `bob's /keys/query does not return alice's device ${deviceId}: ${JSON.stringify(query.device_keys)}`);
        assertEqual(found.keys, deviceKeys.keys, "keys of alice's device from /keys/query");
        assertEqual(found.algorithms, deviceKeys.algorithms, "algorithms of alice's device from /keys/query");
        assert(verifies(found, alice.userId, keyId, me.ed25519), "alice's signature on her device keys does not verify after /keys/query");
        assertEqual(query.failures ?? {}, {}, "failures of /keys/query");

        // Bob claims one-time keys: each once, then the fallback key (repeatedly).
        const claim = async () => (await b.claimOneTimeKeys([[alice.userId, deviceId]], "signed_curve25519")).one_time_keys?.[alice.userId]?.[deviceId];
        const claimed = new Set();
        for (let i = 0; i < 2; i++) {
            const keys = await claim();
            const [id, key] = Object.entries(keys ?? {})[0] ?? [];
            assert(id in oneTimeKeys, `claim ${i + 1} gave ${JSON.stringify(keys)}, not one of alice's one-time keys`);
            assert(!claimed.has(id), `one-time key ${id} was claimed twice`);
            claimed.add(id);
            assertEqual(key.key, oneTimeKeys[id].key, `the claimed key ${id}`);
            assert(verifies(key, alice.userId, keyId, me.ed25519), `alice's signature on one-time key ${id} does not verify after /keys/claim`);
        }
        const count = await a.uploadKeysRequest({});
        assertEqual(count.one_time_key_counts?.signed_curve25519 ?? 0, 0, "signed_curve25519 count once both keys are claimed");
        for (let i = 0; i < 2; i++) {
            const keys = await claim();
            assertEqual(Object.keys(keys ?? {}), ["signed_curve25519:AAAAHQ"], "key claimed once the one-time keys are used up (the fallback key)");
            assertEqual(keys["signed_curve25519:AAAAHQ"].fallback, true, "fallback flag of the claimed fallback key");
            assert(verifies(keys["signed_curve25519:AAAAHQ"], alice.userId, keyId, me.ed25519), "alice's signature on the fallback key does not verify");
        }
        // Alice's own sync tells her the fallback key was used.
        const mine = await a.http.authedRequest(sdk.Method.Get, "/sync", { timeout: "0" });
        assertEqual(mine.device_unused_fallback_key_types ?? [], [], "device_unused_fallback_key_types once the fallback key is used");

        // Keys of someone else's device are refused.
        try {
            await b.uploadKeysRequest({ device_keys: deviceKeys });
            throw new Error("bob uploaded device keys naming alice's user and device");
        } catch (e) {
            if (!e.httpStatus) throw e;
            assertEqual(e.httpStatus, 400, "HTTP status of an upload of another user's device keys");
        }
    },
};
