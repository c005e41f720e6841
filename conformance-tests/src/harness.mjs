// What scenarios are given: homeservers to talk to (through matrix-js-sdk), user registration by the method
// the target allows, and small waiting/assertion helpers. Nothing here knows which homeserver it talks to.
import crypto from "node:crypto";
import * as sdk from "matrix-js-sdk";
import { validatingFetch } from "./http.mjs";

export class ScenarioError extends Error {}

export function assert(condition, message) {
    if (!condition) throw new ScenarioError(message);
}

export function assertEqual(actual, expected, what) {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        throw new ScenarioError(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    }
}

/** Resolves with the first emission of `event` whose arguments satisfy `predicate`; rejects after timeoutMs. */
export function waitFor(emitter, event, predicate, what, timeoutMs = 20_000) {
    return new Promise((resolve, reject) => {
        const listener = (...args) => {
            let ok;
            try {
                ok = predicate(...args);
            } catch (e) {
                if (!(e instanceof ScenarioError)) return;
                clearTimeout(timer);
                emitter.off(event, listener);
                reject(e);
                return;
            }
            if (ok) {
                clearTimeout(timer);
                emitter.off(event, listener);
                resolve(args);
            }
        };
        const timer = setTimeout(() => {
            emitter.off(event, listener);
            reject(new ScenarioError(`timed out after ${timeoutMs / 1000} s waiting for ${what}`));
        }, timeoutMs);
        emitter.on(event, listener);
    });
}

/** Polls `check` (which may be async) until it returns a truthy value. */
export async function eventually(check, what, timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await check();
        if (value) return value;
        if (Date.now() > deadline) throw new ScenarioError(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
    }
}

/** One homeserver under test: its client base URL, federation URL when known, and how to get users on it. */
export class Target {
    // `process` is the HearthProcess when the suite started this server itself (then it can be stopped and restarted).
    constructor({ label, clientUrl, federationUrl, serverName, registration, process }) {
        Object.assign(this, { label, clientUrl, federationUrl, serverName, registration, process });
        this.clients = [];
    }

    /** An anonymous matrix-js-sdk client whose every response is validated against the spec. */
    anonymousClient() {
        return sdk.createClient({ baseUrl: this.clientUrl, fetchFn: validatingFetch, localTimeoutMs: 60_000 });
    }

    /** Registers a new user (unique name from `prefix`) and returns a logged-in client for it. */
    async register(prefix) {
        const username = `${prefix}_${crypto.randomBytes(5).toString("hex")}`;
        const password = crypto.randomBytes(12).toString("base64url");
        const anonymous = this.anonymousClient();
        const response = this.registration.startsWith("shared-secret:")
            ? await this.registerWithSharedSecret(anonymous, username, password, this.registration.slice("shared-secret:".length))
            : await this.registerOpen(anonymous, username, password);
        assert(response.access_token, `registration of ${username} returned no access_token`);
        const client = sdk.createClient({
            baseUrl: this.clientUrl, fetchFn: validatingFetch, localTimeoutMs: 60_000,
            accessToken: response.access_token, userId: response.user_id, deviceId: response.device_id,
        });
        this.clients.push(client);
        return { client, userId: response.user_id, username, password };
    }

    // Spec: Client-Server API, "Account registration": user-interactive authentication with m.login.dummy.
    async registerOpen(client, username, password) {
        const body = { username, password, initial_device_display_name: "conformance" };
        try {
            return await client.registerRequest(body);
        } catch (e) {
            if (e.httpStatus !== 401 || !e.data?.flows) throw e;
            const dummy = e.data.flows.some((f) => f.stages?.length === 1 && f.stages[0] === "m.login.dummy");
            assert(dummy, `open registration needs a single-stage m.login.dummy flow; the server offers ${JSON.stringify(e.data.flows)}`);
            return await client.registerRequest({ ...body, auth: { type: "m.login.dummy", session: e.data.session } });
        }
    }

    // Synapse's shared-secret admin registration (also Hearth's): a nonce, then an HMAC-SHA1 over the fields.
    async registerWithSharedSecret(client, username, password, secret) {
        const opts = { prefix: "/_synapse/admin/v1" };
        const { nonce } = await client.http.request(sdk.Method.Get, "/register", undefined, undefined, opts);
        const mac = crypto.createHmac("sha1", secret)
            .update([nonce, username, password, "notadmin"].join("\0")).digest("hex");
        return client.http.request(sdk.Method.Post, "/register", undefined,
            { nonce, username, password, admin: false, mac }, opts);
    }

    /** startClient, resolved once the first sync is processed. */
    async startSyncing(client) {
        const ready = waitFor(client, sdk.ClientEvent.Sync, (state) => {
            if (state === "ERROR") throw new ScenarioError("sync failed");
            return state === "PREPARED" || state === "SYNCING";
        }, `first sync of ${client.getUserId()}`, 30_000);
        await client.startClient({ initialSyncLimit: 20 });
        await ready;
        return client;
    }

    /**
     * Whether the server runs a Hearth plugin: its unauthenticated page path answers something other than
     * "unrecognized" (a plugin without such a page answers 404 M_NOT_FOUND).
     */
    async hasPlugin(id) {
        try {
            const res = await fetch(`${this.clientUrl}/_hearth/plugins/${encodeURIComponent(id)}/web/`);
            if (res.status !== 404) return res.ok;
            return (await res.json().catch(() => ({}))).errcode === "M_NOT_FOUND";
        } catch {
            return false;
        }
    }

    /** Stops the server process (its clients' requests fail until startServer()); database and ports are kept. */
    async stopServer() {
        assert(this.process, `${this.label} was not started by the suite and cannot be stopped`);
        await this.process.terminate();
    }

    async startServer() {
        await this.process.relaunch();
    }

    stopClients() {
        for (const client of this.clients.splice(0)) client.stopClient();
    }
}
