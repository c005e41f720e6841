// Scenarios for what every homeserver serves before anyone logs in: versions, discovery, server keys,
// the error shape of unknown endpoints, and CORS.
import crypto from "node:crypto";
import anotherJson from "another-json";
import * as sdk from "matrix-js-sdk";
import { federationRequest, specValidator, validatingFetch } from "../http.mjs";
import { assert, assertEqual } from "../harness.mjs";

const ERROR_SCHEMA = "api/client-server/definitions/errors/error.yaml";

export const versions = {
    name: "versions",
    async run({ hs1 }) {
        const versions = await hs1.anonymousClient().getVersions();
        assert(versions.versions.some((v) => /^v1\.\d+$/.test(v)), `no v1.x version in ${JSON.stringify(versions.versions)}`);
    },
};

export const wellKnownClient = {
    name: "well-known-client",
    async run({ hs1, note }) {
        sdk.AutoDiscovery.setFetchFn(validatingFetch);
        const res = await validatingFetch(`${hs1.clientUrl}/.well-known/matrix/client`);
        if (res.status === 404) {
            note("no /.well-known/matrix/client on the client URL (allowed: it lives on the server name's domain)");
            return;
        }
        assertEqual(res.status, 200, "status of /.well-known/matrix/client");
        // The client library's own discovery checks the config and that base_url answers /versions.
        const config = await sdk.AutoDiscovery.fromDiscoveryConfig(await res.json());
        const hs = config["m.homeserver"];
        assertEqual(hs.state, sdk.AutoDiscoveryAction.SUCCESS, `discovery state (${hs.error ?? ""})`);
        const versions = await sdk.createClient({ baseUrl: hs.base_url, fetchFn: validatingFetch }).getVersions();
        assert(versions.versions.length > 0, "the discovered base_url lists no versions");
    },
};

export const wellKnownServer = {
    name: "well-known-server",
    needs: ["federation"],
    async run({ hs1, note }) {
        const res = await federationRequest("GET", `${hs1.federationUrl}/.well-known/matrix/server`);
        if (res.status === 404) {
            note("no /.well-known/matrix/server (allowed: the server name then points at the server directly)");
            return;
        }
        assertEqual(res.status, 200, "status of /.well-known/matrix/server");
        const delegated = res.json["m.server"];
        assert(/^[^\s/]+$/.test(delegated), `m.server is not a server name: ${JSON.stringify(delegated)}`);
        // The delegated name must lead to a server that serves this server's keys.
        const port = /:(\d+)$/.exec(delegated)?.[1] ?? "8448";
        const keys = await federationRequest("GET", `https://${delegated.replace(/:\d+$/, "")}:${port}/_matrix/key/v2/server`);
        assertEqual(keys.status, 200, `status of the keys at the delegated ${delegated}`);
        if (hs1.serverName) assertEqual(keys.json.server_name, hs1.serverName, "server_name at the delegated address");
    },
};

// Spec: Server-Server API, "Publishing Keys" and Appendices, "Signing JSON".
export const serverKeys = {
    name: "server-keys",
    needs: ["federation"],
    async run({ hs1 }) {
        const res = await federationRequest("GET", `${hs1.federationUrl}/_matrix/key/v2/server`);
        assertEqual(res.status, 200, "status of GET /_matrix/key/v2/server");
        const keys = res.json;
        if (hs1.serverName) assertEqual(keys.server_name, hs1.serverName, "server_name");
        assert(keys.valid_until_ts > Date.now(), `valid_until_ts ${keys.valid_until_ts} is in the past`);
        for (const keyId of Object.keys(keys.verify_keys)) {
            assert(keyId.startsWith("ed25519:"), `unexpected key algorithm ${keyId}`);
            assert(keys.signatures?.[keys.server_name]?.[keyId], `the response is not signed with its own key ${keyId}`);
        }
        const verified = verifySignatures(keys, keys.server_name, keys.verify_keys);
        assert(verified > 0, "no verify_keys");
    },
};

// Spec: Client-Server API, "API standards": unknown endpoints answer 404 and known endpoints called with an
// unsupported method 405, both with errcode M_UNRECOGNIZED.
export const unknownEndpoint = {
    name: "unknown-endpoint",
    async run({ hs1 }) {
        const client = hs1.anonymousClient();
        const expectError = async (method, path, prefix, status) => {
            try {
                await client.http.request(method, path, undefined, method === sdk.Method.Get ? undefined : {}, { prefix });
            } catch (e) {
                assertEqual(e.httpStatus, status, `status of ${method} ${prefix}${path}`);
                assertEqual(e.data?.errcode, "M_UNRECOGNIZED", `errcode of ${method} ${prefix}${path}`);
                const problems = specValidator().validateFile(ERROR_SCHEMA, e.data);
                assert(problems.length === 0, `${method} ${prefix}${path}: error body does not match the spec's error schema: ${problems.join("; ")}`);
                return;
            }
            throw new Error(`${method} ${prefix}${path} succeeded; expected ${status} M_UNRECOGNIZED`);
        };
        await expectError(sdk.Method.Get, "/org.hearth.conformance/no/such/endpoint", "/_matrix/client/v3", 404);
        await expectError(sdk.Method.Delete, "/versions", "/_matrix/client", 405);
    },
};

// Spec: Client-Server API, "Web Browser Clients": CORS headers on every response, preflight included.
export const cors = {
    name: "cors",
    async run({ hs1 }) {
        const url = `${hs1.clientUrl}/_matrix/client/versions`;
        const preflight = await validatingFetch(url, {
            method: "OPTIONS",
            headers: { Origin: "https://app.example", "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "Authorization, Content-Type" },
        });
        assert(preflight.status < 300, `preflight answered ${preflight.status}`);
        assertEqual(preflight.headers.get("access-control-allow-origin"), "*", "Access-Control-Allow-Origin of the preflight");
        const methods = (preflight.headers.get("access-control-allow-methods") ?? "").toUpperCase();
        for (const m of ["GET", "POST", "PUT", "DELETE", "OPTIONS"]) assert(methods.includes(m), `Access-Control-Allow-Methods lacks ${m}: ${methods}`);
        const headers = (preflight.headers.get("access-control-allow-headers") ?? "").toLowerCase();
        for (const h of ["authorization", "content-type"]) assert(headers.includes(h), `Access-Control-Allow-Headers lacks ${h}: ${headers}`);
        const res = await validatingFetch(url, { headers: { Origin: "https://app.example" } });
        assertEqual(res.headers.get("access-control-allow-origin"), "*", "Access-Control-Allow-Origin of GET /versions");
    },
};

// Spec: Server-Server API, "GET /_matrix/federation/v1/version".
export const federationVersion = {
    name: "federation-version",
    needs: ["federation"],
    async run({ hs1 }) {
        const res = await federationRequest("GET", `${hs1.federationUrl}/_matrix/federation/v1/version`);
        assertEqual(res.status, 200, "status of GET /_matrix/federation/v1/version");
        assert(typeof res.json.server?.name === "string", `no server.name in ${res.text}`);
    },
};

/** Verifies every signature `signer` put on `object` with one of `verifyKeys` ({keyId: {key}}); returns how many. */
function verifySignatures(object, signer, verifyKeys) {
    const signed = { ...object };
    delete signed.signatures;
    delete signed.unsigned;
    const canonical = Buffer.from(anotherJson.stringify(signed), "utf8");
    let verified = 0;
    for (const [keyId, signature] of Object.entries(object.signatures?.[signer] ?? {})) {
        const key = verifyKeys[keyId]?.key;
        if (!key) continue;
        const publicKey = crypto.createPublicKey({
            key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(key, "base64").toString("base64url") }, format: "jwk",
        });
        assert(crypto.verify(null, canonical, publicKey, Buffer.from(signature, "base64")),
            `${signer}'s signature ${keyId} does not verify over the canonical JSON`);
        verified++;
    }
    return verified;
}

// Spec: Server-Server API, "Querying Keys Through Another Server": hs1 as notary for hs2's keys, with both
// the origin's and the notary's signatures on the answer.
export const keyNotary = {
    name: "key-notary",
    servers: 2,
    needs: ["federation"],
    async run({ hs1, hs2 }) {
        const own = async (hs) => (await federationRequest("GET", `${hs.federationUrl}/_matrix/key/v2/server`)).json;
        const [notaryKeys, originKeys] = [await own(hs1), await own(hs2)];
        const origin = originKeys.server_name;
        const checkAnswer = (res, what) => {
            assertEqual(res.status, 200, `status of ${what}`);
            const keys = res.json.server_keys?.find((k) => k.server_name === origin);
            assert(keys, `${what} returned no keys for ${origin}: ${res.text.slice(0, 200)}`);
            assert(verifySignatures(keys, origin, originKeys.verify_keys) > 0, `${what}: no signature of ${origin} itself`);
            assert(verifySignatures(keys, notaryKeys.server_name, notaryKeys.verify_keys) > 0,
                `${what}: not signed by the notary ${notaryKeys.server_name}`);
        };
        checkAnswer(await federationRequest("GET", `${hs1.federationUrl}/_matrix/key/v2/query/${encodeURIComponent(origin)}`),
            `GET /_matrix/key/v2/query/${origin}`);
        checkAnswer(await federationRequest("POST", `${hs1.federationUrl}/_matrix/key/v2/query`,
            { server_keys: { [origin]: {} } }), "POST /_matrix/key/v2/query");
    },
};
