// Reporting content as a client does: an event, a room and a user reported; what the reporter cannot see is
// not found.
import * as sdk from "matrix-js-sdk";
import { assert, assertEqual } from "../harness.mjs";

async function notFound(promise, what) {
    try {
        await promise;
    } catch (e) {
        if (!e.httpStatus) throw e;
        assertEqual([e.httpStatus, e.errcode], [404, "M_NOT_FOUND"], `HTTP status and errcode of ${what}`);
        return;
    }
    throw new Error(`${what} succeeded`);
}

// Spec: Client-Server API, "Reporting content" (POST /rooms/{roomId}/report/{eventId}, /rooms/{roomId}/report,
// /users/{userId}/report).
export const reports = {
    name: "reports",
    async run({ hs1 }) {
        const alice = await hs1.register("alice");
        const bob = await hs1.register("bob");
        const eve = await hs1.register("eve");
        const { room_id: roomId } = await alice.client.createRoom({ preset: sdk.Preset.PrivateChat, name: "reports" });
        await alice.client.invite(roomId, bob.userId);
        await bob.client.joinRoom(roomId);
        const { event_id: eventId } = await alice.client.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "something rude" });

        assertEqual(await bob.client.reportEvent(roomId, eventId, -100, "rude"), {}, "answer to bob's report of alice's message");
        assertEqual(await bob.client.reportRoom(roomId, "a rude room"), {}, "answer to bob's report of the room");
        const user = await bob.client.http.authedRequest(sdk.Method.Post, `/users/${encodeURIComponent(alice.userId)}/report`,
            undefined, { reason: "rude user" });
        assertEqual(user, {}, "answer to bob's report of alice");

        // Eve is not in the room: the event is not found for her; nor is an event that does not exist.
        await notFound(eve.client.reportEvent(roomId, eventId, -100, "nosy"), "eve's report of an event in a room she is not in");
        await notFound(bob.client.reportEvent(roomId, "$nosuchevent0000000000000000000000000000000", -100, "ghost"),
            "a report of an event that does not exist");
        const server = alice.userId.slice(alice.userId.indexOf(":") + 1);
        await notFound(bob.client.reportRoom(`!nosuchroom:${server}`, "ghost"), "a report of a room that does not exist");
        // An unknown local user: 404, or 200 for servers that conceal who exists.
        try {
            const res = await bob.client.http.authedRequest(sdk.Method.Post, `/users/${encodeURIComponent(`@nosuchuser_zz:${server}`)}/report`,
                undefined, { reason: "ghost" });
            assertEqual(res, {}, "answer to a report of an unknown user");
        } catch (e) {
            if (!e.httpStatus) throw e;
            assertEqual([e.httpStatus, e.errcode], [404, "M_NOT_FOUND"], "HTTP status and errcode of a report of an unknown user");
        }
        // A report without its required reason is a bad request.
        try {
            await bob.client.http.authedRequest(sdk.Method.Post, `/rooms/${encodeURIComponent(roomId)}/report`, undefined, {});
            throw new Error("a room report without a reason was accepted");
        } catch (e) {
            if (!e.httpStatus) throw e;
            assert(e.httpStatus === 400, `HTTP status of a room report without a reason: ${e.httpStatus}`);
        }
    },
};
