// What a careless or hostile client sends: relations the spec says are invalid, media that is too large,
// not what it claims to be, or corrupt; thumbnails with nonsense sizes. Refused with the spec's errors (or, where
// the spec allows accepting, accepted without effect), never a server error.
import crypto from "node:crypto";
import net from "node:net";
import * as sdk from "matrix-js-sdk";
import { assert, assertEqual } from "../harness.mjs";
import { validatingFetch } from "../http.mjs";
import { png } from "./media.mjs";

async function refused(promise, what) {
    try {
        await promise;
    } catch (e) {
        if (!e.httpStatus) throw e;
        assert(e.httpStatus >= 400 && e.httpStatus < 500, `${what}: HTTP ${e.httpStatus} ${e.errcode}`);
        return e;
    }
    return null;
}

// Spec: Client-Server API, "Threading" (validation of m.thread relationships: 400 M_UNKNOWN), "Event
// replacements" (validity), "Forming relationships between events" (same room).
export const relationsBadInput = {
    name: "relations-bad-input",
    async run({ hs1 }) {
        const alice = await hs1.register("alice");
        const a = alice.client;
        const { room_id: roomId } = await a.createRoom({ preset: sdk.Preset.PrivateChat, name: "bad relations" });
        const { room_id: otherRoomId } = await a.createRoom({ preset: sdk.Preset.PrivateChat, name: "elsewhere" });
        const { event_id: rootId } = await a.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "root" });
        const { event_id: replyId } = await a.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "in thread",
            "m.relates_to": { rel_type: sdk.THREAD_RELATION_TYPE.name, event_id: rootId } });

        // A thread off an event that itself has a relation: 400 M_UNKNOWN (a SHOULD, so accepted-and-ignored is noted).
        const nested = await refused(a.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "nested thread",
            "m.relates_to": { rel_type: sdk.THREAD_RELATION_TYPE.name, event_id: replyId } }), "a thread off a thread reply");
        assert(nested, "a thread started off an event in a thread was accepted");
        assertEqual([nested.httpStatus, nested.errcode], [400, "M_UNKNOWN"], "HTTP status and errcode of a thread off a thread reply");

        // A reaction and an edit from another room never count as relations of the event.
        const fromElsewhere = [
            a.sendEvent(otherRoomId, sdk.EventType.Reaction, { "m.relates_to": { rel_type: sdk.RelationType.Annotation, event_id: rootId, key: "👀" } }),
            a.sendMessage(otherRoomId, { msgtype: sdk.MsgType.Text, body: "* moved", "m.new_content": { msgtype: sdk.MsgType.Text, body: "moved" },
                "m.relates_to": { rel_type: sdk.RelationType.Replace, event_id: rootId } }),
        ];
        for (const sending of fromElsewhere) await refused(sending, "a relation to an event in another room");
        const annotations = await a.relations(roomId, rootId, sdk.RelationType.Annotation);
        assertEqual(annotations.events.length, 0, "number of m.annotation relations of the root after a reaction from another room");
        const root = await a.fetchRoomEvent(roomId, rootId);
        assertEqual(root.unsigned?.["m.relations"]?.["m.replace"], undefined, "m.replace aggregated on the root from another room");

        // Malformed m.relates_to (not an object; no event_id): refused or stored as plain content, never a relation.
        await refused(a.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "odd", "m.relates_to": "nonsense" }), "a string m.relates_to");
        await refused(a.sendEvent(roomId, sdk.EventType.Reaction, { "m.relates_to": { rel_type: sdk.RelationType.Annotation, key: "?" } }),
            "a reaction without event_id");
        const after = await a.relations(roomId, rootId, null);
        assertEqual(after.events.map((e) => e.getId()), [replyId], "relations of the root after malformed relations");

        // /relations of an event the user cannot see, or that does not exist.
        const eve = await hs1.register("eve");
        const hidden = await refused(eve.client.relations(roomId, rootId, null), "/relations for a non-member");
        assert(hidden && [403, 404].includes(hidden.httpStatus), "a non-member listed the relations of an event");
        const missing = await refused(a.relations(roomId, "$nosuchevent00000000000000000000000000000000", null), "/relations of an unknown event");
        assert(missing === null || missing.httpStatus === 404, `/relations of an unknown event: HTTP ${missing?.httpStatus}`);
    },
};

async function get(client, url) {
    const response = await validatingFetch(url, { headers: { Authorization: `Bearer ${client.getAccessToken()}` } });
    const bytes = Buffer.from(await response.arrayBuffer());
    let json;
    try { json = JSON.parse(bytes.toString()); } catch { json = undefined; }
    return { status: response.status, type: response.headers.get("content-type"), bytes, json };
}

// Spec: Client-Server API, "Content repository" (413 M_TOO_LARGE over m.upload.size, 400 for thumbnails the
// server cannot make or nonsense sizes; content served as application/octet-stream when obviously wrong).
export const mediaBadInput = {
    name: "media-bad-input",
    timeoutMs: 120_000,
    async run({ hs1, note }) {
        const alice = await hs1.register("alice");
        const a = alice.client;
        const thumb = (mxc, w, h) => a.mxcUrlToHttp(mxc, w, h, "scale", false, true, true);

        // Over the advertised limit (when it is small enough to send from a test).
        const limit = (await a.getMediaConfig(true))["m.upload.size"];
        if (limit && limit <= 128 * 1024 * 1024) {
            // Only the declared size is sent: a server may answer 413 and close before reading the body, and a
            // client still writing megabytes then sees a reset instead of the answer (a race, not a refusal).
            const tooLarge = await declareUpload(a.baseUrl, a.getAccessToken(), limit + 1);
            assertEqual([tooLarge.status, tooLarge.json?.errcode], [413, "M_TOO_LARGE"], "HTTP status and errcode of an upload over the limit");
        } else {
            note(`media-bad-input: m.upload.size is ${limit}; the over-limit upload is not tried`);
        }

        // Text claimed as a PNG: refused, or kept but never thumbnailed and not served as an image.
        const text = Buffer.from("this is not an image at all, just text ".repeat(20));
        const lying = await a.uploadContent(text, { type: "image/png" }).catch((e) => {
            if (!e.httpStatus || e.httpStatus >= 500) throw e;
            return null;
        });
        if (lying) {
            const download = await get(a, a.mxcUrlToHttp(lying.content_uri, undefined, undefined, undefined, false, true, true));
            assertEqual(download.status, 200, "status of downloading text uploaded as image/png");
            assert(download.bytes.equals(text), "the text uploaded as image/png came back changed");
            if (download.type === "image/png") note("media-bad-input: text uploaded as image/png is served as image/png");
            const t = await get(a, thumb(lying.content_uri, 32, 32));
            assert(t.status >= 400 && t.status < 500, `a thumbnail of text claimed as PNG: HTTP ${t.status} (${t.type})`);
        }

        // A corrupt PNG (right signature and header, garbage after) large enough to need shrinking: no thumbnail,
        // a 4xx. (An image no larger than the thumbnail asked for may be returned as it is: not tried.)
        const corrupt = Buffer.concat([png(800, 600).subarray(0, 33), crypto.randomBytes(2000)]);
        const { content_uri: corruptUri } = await a.uploadContent(corrupt, { type: "image/png" });
        const ct = await get(a, a.mxcUrlToHttp(corruptUri, 32, 32, "crop", false, true, true));
        assert(ct.status >= 400 && ct.status < 500, `a thumbnail of a corrupt PNG: HTTP ${ct.status} (${ct.type})`);

        // An image whose header claims enormous dimensions (a decompression bomb): no thumbnail, a 4xx.
        const bomb = png(1, 1);
        bomb.writeUInt32BE(100_000, 16);
        bomb.writeUInt32BE(100_000, 20);
        const { content_uri: bombUri } = await a.uploadContent(bomb, { type: "image/png" });
        const bt = await get(a, thumb(bombUri, 32, 32));
        assert(bt.status >= 400 && bt.status < 500, `a thumbnail of a PNG claiming 100000x100000 pixels: HTTP ${bt.status} (${bt.type})`);

        // Nonsense thumbnail sizes on a good image: 400.
        const { content_uri: goodUri } = await a.uploadContent(png(40, 40), { type: "image/png" });
        for (const [w, h] of [["abc", 32], [-5, 32], [32, ""]]) {
            const url = thumb(goodUri, 32, 32).replace(/width=[^&]*/, `width=${w}`).replace(/height=[^&]*/, `height=${h}`);
            const r = await get(a, url);
            assertEqual(r.status, 400, `HTTP status of a thumbnail of width=${w} height=${h}`);
        }
    },
};

// POSTs an upload's headers only (Content-Length: size) and reads the answer the server gives before any body.
function declareUpload(baseUrl, token, size) {
    const url = new URL(baseUrl);
    return new Promise((resolve, reject) => {
        const socket = net.connect(Number(url.port || 80), url.hostname);
        let data = Buffer.alloc(0);
        const timer = setTimeout(() => { socket.destroy(); reject(new Error("no answer to a declared over-limit upload in 20 s")); }, 20_000);
        socket.on("connect", () => socket.write(`POST /_matrix/media/v3/upload HTTP/1.1\r\nHost: ${url.host}\r\n`
            + `Authorization: Bearer ${token}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${size}\r\n\r\n`));
        socket.on("data", (chunk) => {
            data = Buffer.concat([data, chunk]);
            const head = data.indexOf("\r\n\r\n");
            if (head < 0) return;
            const headers = data.subarray(0, head).toString();
            const length = Number(/content-length:\s*(\d+)/i.exec(headers)?.[1] ?? 0);
            if (data.length < head + 4 + length) return;
            clearTimeout(timer);
            socket.destroy();
            const body = data.subarray(head + 4, head + 4 + length).toString();
            let json;
            try { json = JSON.parse(body); } catch { json = undefined; }
            resolve({ status: Number(headers.split(" ")[1]), json });
        });
        socket.on("error", (e) => { clearTimeout(timer); reject(e); });
    });
}
