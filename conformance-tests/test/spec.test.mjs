// The validator itself: it must catch a response that breaks the spec, and name the endpoint and the mismatch.
import assert from "node:assert/strict";
import test from "node:test";
import { SpecValidator } from "../src/spec.mjs";

const v = new SpecValidator();
const check = (method, path, status, body) => v.check(method, path, status, "application/json", JSON.stringify(body));

test("a conforming /versions passes", () => {
    const r = check("GET", "/_matrix/client/versions", 200, { versions: ["v1.11"] });
    assert.equal(r.operation, "getVersions");
    assert.deepEqual(r.problems, []);
});

test("a wrong type in /versions names the endpoint and the mismatch", () => {
    const [problem] = check("GET", "/_matrix/client/versions", 200, { versions: [11] }).problems;
    assert.match(problem, /GET \/_matrix\/client\/versions \(getVersions\) 200/);
    assert.match(problem, /\/versions\/0 must be string/);
});

test("schemas reached through $ref into definitions and event schemas are checked", () => {
    const event = { type: "m.room.message", content: { body: "hi", msgtype: "m.text" }, sender: "@a:x", origin_server_ts: 1, room_id: "!r:x" };
    const ok = check("GET", "/_matrix/client/v3/rooms/!r:x/messages", 200, { start: "s", chunk: [{ ...event, event_id: "$e" }] });
    assert.deepEqual(ok.problems, []);
    const bad = check("GET", "/_matrix/client/v3/rooms/!r:x/messages", 200, { start: "s", chunk: [event] });
    assert.match(bad.problems[0], /getRoomEvents.*must have required property 'event_id'/);
});

test("literal path segments win over templates, and an empty last state key still matches", () => {
    assert.equal(v.match("GET", "/_matrix/client/v3/rooms/!r:x/state")?.id, "getRoomState");
    assert.equal(v.match("PUT", "/_matrix/client/v3/rooms/!r:x/state/m.room.name/")?.id, "setRoomStateWithKey");
    assert.equal(v.match("GET", "/_matrix/key/v2/server")?.id, "getServerKey");
});

test("an undocumented error status is a note, an undocumented success status a problem", () => {
    const error = check("GET", "/_matrix/client/versions", 418, { errcode: "M_UNKNOWN" });
    assert.deepEqual(error.problems, []);
    assert.equal(error.notes.length, 1);
    assert.equal(check("GET", "/_matrix/client/versions", 204, {}).problems.length, 1);
    assert.match(check("GET", "/_matrix/client/versions", 418, { error: "no code" }).problems[0], /errcode/);
});

test("endpoints outside the spec are not matched", () => {
    assert.equal(check("GET", "/_synapse/admin/v1/register", 200, {}).operation, undefined);
});

test("every response schema of every operation compiles", () => {
    for (const op of v.ops) {
        for (const status of Object.keys(op.op.responses ?? {})) {
            v.check(op.method, op.path.replace(/\{[^}]+\}/g, "x"), Number(status) || 200, "application/json", "{}");
        }
    }
});

test("event contents are checked against the event schema of their type", () => {
    const event = (content) => ({ type: "m.room.member", content, sender: "@a:x", origin_server_ts: 1,
        event_id: "$e", room_id: "!r:x", state_key: "@a:x" });
    const page = (content) => check("GET", "/_matrix/client/v3/rooms/!r:x/messages", 200, { start: "s", chunk: [event(content)] });
    assert.deepEqual(page({ membership: "join" }).problems, []);
    assert.match(page({ membership: "joined" }).problems[0], /event \/chunk\/0 \(m.room.member \$e\).*content\/membership must be equal to one of the allowed values/);
    const text = { type: "m.room.message", content: { msgtype: "m.text" }, sender: "@a:x", origin_server_ts: 1, event_id: "$t", room_id: "!r:x" };
    assert.match(check("GET", "/_matrix/client/v3/rooms/!r:x/messages", 200, { start: "s", chunk: [text] }).problems[0], /m.room.message.*must have required property 'body'/);
});

test("operations sharing a path are told apart by the request body", () => {
    const path = "/_matrix/client/v3/rooms/!r:x/invite";
    assert.equal(v.match("POST", path, { user_id: "@b:x" })?.id, "inviteUser");
    assert.equal(v.match("POST", path, { id_server: "i", id_access_token: "t", medium: "email", address: "a@b" })?.id, "inviteBy3PID");
});
