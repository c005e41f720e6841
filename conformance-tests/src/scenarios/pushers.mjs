// Push notifications end to end: a client registers an HTTP pusher pointing at a push gateway (a small HTTP
// server run here), a message to its user reaches the gateway, and a gateway's rejection removes the pusher.
import crypto from "node:crypto";
import http from "node:http";
import * as sdk from "matrix-js-sdk";
import { assert, assertEqual, eventually } from "../harness.mjs";

/** A push gateway on 127.0.0.1: collects notify requests; `reject` makes it reject every pushkey. */
async function pushGateway() {
    const gateway = { received: [], reject: false };
    const server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (c) => (body += c));
        req.on("end", () => {
            let json;
            try { json = JSON.parse(body); } catch { json = null; }
            gateway.received.push({ method: req.method, path: req.url, json });
            const rejected = gateway.reject ? (json?.notification?.devices ?? []).map((d) => d.pushkey) : [];
            res.writeHead(200, { "content-type": "application/json" });
            res.end(JSON.stringify({ rejected }));
        });
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    gateway.url = `http://127.0.0.1:${server.address().port}/_matrix/push/v1/notify`;
    gateway.close = () => server.close();
    return gateway;
}

// Spec: Client-Server API, "Push notifications" (GET /pushers, POST /pushers/set, kind null deletes) and the
// Push Gateway API (POST /_matrix/push/v1/notify: notification fields, counts, devices, rejected pushkeys).
export const pushers = {
    name: "pushers",
    timeoutMs: 90_000,
    async run({ hs1 }) {
        const gateway = await pushGateway();
        try {
            const alice = await hs1.register("alice");
            const bob = await hs1.register("bob");
            const b = bob.client;
            const pushkey = crypto.randomBytes(16).toString("base64url");
            const pusher = { pushkey, kind: "http", app_id: "org.example.conformance", app_display_name: "Conformance",
                device_display_name: "test device", lang: "en", data: { url: gateway.url, custom: "kept" } };
            await b.setPusher(pusher);
            const listed = (await b.getPushers()).pushers;
            assertEqual(listed.map((p) => p.pushkey), [pushkey], "bob's pushers after setting one");
            assertEqual(listed[0].data.url, gateway.url, "data.url of the listed pusher");
            assertEqual(listed[0].app_id, pusher.app_id, "app_id of the listed pusher");

            // A pusher with a URL whose path is not /_matrix/push/v1/notify is refused.
            try {
                await b.setPusher({ ...pusher, pushkey: "other", data: { url: "http://127.0.0.1:1/somewhere" } });
                throw new Error("a pusher with a URL not ending in /_matrix/push/v1/notify was accepted");
            } catch (e) {
                if (!e.httpStatus) throw e;
                assertEqual(e.httpStatus, 400, "HTTP status of a pusher with a wrong URL path");
            }

            const { room_id: roomId } = await alice.client.createRoom({ preset: sdk.Preset.TrustedPrivateChat, name: "push", is_direct: true });
            await alice.client.invite(roomId, bob.userId);
            await b.joinRoom(roomId);
            const { event_id: eventId } = await alice.client.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "ping" });

            const notify = await eventually(() => gateway.received.find((r) => r.json?.notification?.event_id === eventId),
                "the message's notification at the push gateway", 30_000);
            assertEqual(notify.method, "POST", "method of the push gateway request");
            assertEqual(notify.path, "/_matrix/push/v1/notify", "path of the push gateway request");
            const n = notify.json.notification;
            assertEqual(n.room_id, roomId, "room_id of the notification");
            assertEqual(n.sender, alice.userId, "sender of the notification");
            assertEqual(n.type, "m.room.message", "type of the notification");
            assertEqual(n.content?.body, "ping", "content.body of the notification");
            assert(n.counts?.unread >= 1, `counts.unread of the notification is ${n.counts?.unread}`);
            assertEqual(n.devices?.length, 1, "number of devices in the notification");
            assertEqual(n.devices[0].pushkey, pushkey, "pushkey of the notified device");
            assertEqual(n.devices[0].app_id, pusher.app_id, "app_id of the notified device");
            assertEqual(n.devices[0].data?.custom, "kept", "the pusher's own data passed to the gateway");
            assert(!("url" in (n.devices[0].data ?? {})), "the pusher's data.url is passed to the gateway");

            // The gateway rejects the pushkey: the homeserver removes the pusher.
            gateway.reject = true;
            const { event_id: secondId } = await alice.client.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "ping again" });
            await eventually(() => gateway.received.some((r) => r.json?.notification?.event_id === secondId),
                "the second notification at the push gateway", 30_000);
            await eventually(async () => (await b.getPushers()).pushers.length === 0, "the rejected pusher to be removed", 10_000);

            // Set again, then deleted by the client with kind null.
            await b.setPusher(pusher);
            assertEqual((await b.getPushers()).pushers.length, 1, "number of bob's pushers after setting it again");
            await b.setPusher({ ...pusher, kind: null });
            assertEqual((await b.getPushers()).pushers, [], "bob's pushers after deleting with kind null");
        } finally {
            gateway.close();
        }
    },
};
