// Server-side key backup as a client uses it (what Rust crypto does under the hood, with the session data
// opaque here): backup versions, room keys stored, listed, replaced by better ones, deleted.
import crypto from "node:crypto";
import * as sdk from "matrix-js-sdk";
import { assert, assertEqual } from "../harness.mjs";

const ALGORITHM = "m.megolm_backup.v1.curve25519-aes-sha2";
const b64 = (n) => crypto.randomBytes(n).toString("base64").replace(/=+$/, "");

function keyData(firstMessageIndex, { forwarded = 0, verified = true } = {}) {
    return { first_message_index: firstMessageIndex, forwarded_count: forwarded, is_verified: verified,
        session_data: { ephemeral: b64(32), ciphertext: b64(64), mac: b64(8) } };
}

async function expectError(promise, status, errcode, what) {
    try {
        await promise;
    } catch (e) {
        if (!e.httpStatus) throw e;
        assertEqual([e.httpStatus, e.errcode], [status, errcode], `HTTP status and errcode of ${what}`);
        return e;
    }
    throw new Error(`${what} succeeded`);
}

// Spec: Client-Server API, "Server-side key backups" (room_keys/version and room_keys/keys, the rules for
// replacing a stored key, M_WRONG_ROOM_KEYS_VERSION).
export const keyBackup = {
    name: "key-backup",
    async run({ hs1 }) {
        const alice = await hs1.register("alice");
        const bob = await hs1.register("bob");
        const request = (client, method, path, query, body) => client.http.authedRequest(method, path, query, body);
        const a = (method, path, query, body) => request(alice.client, method, path, query, body);
        const { room_id: roomId } = await alice.client.createRoom({ preset: sdk.Preset.PrivateChat, name: "backup" });
        const sessionId = b64(32);
        const keyPath = `/room_keys/keys/${encodeURIComponent(roomId)}/${encodeURIComponent(sessionId)}`;

        await expectError(a(sdk.Method.Get, "/room_keys/version"), 404, "M_NOT_FOUND", "GET /room_keys/version with no backup");
        const authData = { public_key: b64(32) };
        const { version } = await a(sdk.Method.Post, "/room_keys/version", undefined, { algorithm: ALGORITHM, auth_data: authData });
        assert(typeof version === "string" && version, `POST /room_keys/version answered version ${version}`);
        const info = await a(sdk.Method.Get, "/room_keys/version");
        assertEqual([info.version, info.algorithm, info.auth_data, info.count], [version, ALGORITHM, authData, 0], "the new backup version");
        const emptyEtag = info.etag;

        // A key stored, listed at every level; the etag changes.
        const first = keyData(3);
        const stored = await a(sdk.Method.Put, keyPath, { version }, first);
        assertEqual(stored.count, 1, "count after storing one key");
        assert(stored.etag !== emptyEtag, "the etag did not change when a key was stored");
        assertEqual((await a(sdk.Method.Get, keyPath, { version })).session_data, first.session_data, "session_data of the stored key");
        const all = await a(sdk.Method.Get, "/room_keys/keys", { version });
        assertEqual(Object.keys(all.rooms?.[roomId]?.sessions ?? {}), [sessionId], "sessions listed for the room in GET /room_keys/keys");

        // A worse key (later first message index) does not replace it; a better one (earlier index) does.
        await a(sdk.Method.Put, keyPath, { version }, keyData(10));
        assertEqual((await a(sdk.Method.Get, keyPath, { version })).first_message_index, 3, "first_message_index after uploading a worse key");
        const better = keyData(0);
        await a(sdk.Method.Put, keyPath, { version }, better);
        assertEqual((await a(sdk.Method.Get, keyPath, { version })).session_data, better.session_data, "session_data after uploading a better key");
        assertEqual((await a(sdk.Method.Get, "/room_keys/version")).count, 1, "count after replacing the key");

        // A version that never existed: refused (the spec lists 403 M_WRONG_ROOM_KEYS_VERSION; Synapse answers 404).
        try {
            await a(sdk.Method.Put, keyPath, { version: `${version}9` }, keyData(0));
            throw new Error("a key was stored under a backup version that does not exist");
        } catch (e) {
            if (!e.httpStatus) throw e;
            assert([403, 404].includes(e.httpStatus), `HTTP status of storing a key under an unknown version: ${e.httpStatus}`);
        }

        // Bob sees none of alice's backup.
        await expectError(request(bob.client, sdk.Method.Get, "/room_keys/version"), 404, "M_NOT_FOUND", "bob's GET /room_keys/version");
        await expectError(request(bob.client, sdk.Method.Get, `/room_keys/version/${encodeURIComponent(version)}`), 404, "M_NOT_FOUND",
            "bob's GET of alice's backup version");

        // Deleting the key.
        const afterDelete = await a(sdk.Method.Delete, keyPath, { version });
        assertEqual(afterDelete.count, 0, "count after deleting the key");
        await expectError(a(sdk.Method.Get, keyPath, { version }), 404, "M_NOT_FOUND", "GET of a deleted key");

        // A new version becomes the current one: writes to the old one are refused with the current version named.
        const { version: newer } = await a(sdk.Method.Post, "/room_keys/version", undefined, { algorithm: ALGORITHM, auth_data: { public_key: b64(32) } });
        assert(newer !== version, "the second backup version has the first one's name");
        assertEqual((await a(sdk.Method.Get, "/room_keys/version")).version, newer, "current backup version after creating a second");
        const wrong = await expectError(a(sdk.Method.Put, keyPath, { version }, keyData(0)), 403, "M_WRONG_ROOM_KEYS_VERSION",
            "storing a key under the old backup version");
        assertEqual(wrong.data?.current_version, newer, "current_version of M_WRONG_ROOM_KEYS_VERSION");

        // Deleting the versions.
        await a(sdk.Method.Delete, `/room_keys/version/${encodeURIComponent(newer)}`);
        await a(sdk.Method.Delete, `/room_keys/version/${encodeURIComponent(version)}`);
        await expectError(a(sdk.Method.Get, "/room_keys/version"), 404, "M_NOT_FOUND", "GET /room_keys/version after deleting every version");
    },
};
