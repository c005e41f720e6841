// Server-side search as a client uses it: a word said in a room is found by its members, not by others.
import crypto from "node:crypto";
import * as sdk from "matrix-js-sdk";
import { assert, assertEqual } from "../harness.mjs";

function roomEventsSearch(client, term, extra = {}) {
    return client.search({ body: { search_categories: { room_events: { search_term: term, ...extra } } } });
}

// Spec: Client-Server API, "Server Side Search" (POST /search, room_events).
export const search = {
    name: "search",
    async run({ hs1 }) {
        const alice = await hs1.register("alice");
        const bob = await hs1.register("bob");
        const eve = await hs1.register("eve");
        const a = alice.client;
        const word = `aardvark${crypto.randomBytes(3).toString("hex")}`;

        const { room_id: roomId } = await a.createRoom({ preset: sdk.Preset.PrivateChat, name: "search" });
        await a.invite(roomId, bob.userId);
        await bob.client.joinRoom(roomId);
        const { event_id: hitId } = await a.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: `the quick ${word} jumps` });
        await a.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: "nothing to see here" });

        // Indexing may lag behind sending: members retry for a while.
        let found;
        for (let i = 0; i < 50; i++) {
            found = (await roomEventsSearch(bob.client, word)).search_categories.room_events;
            if (found.results?.length) break;
            await new Promise((r) => setTimeout(r, 200));
        }
        assertEqual(found.results?.map((r) => r.result.event_id), [hitId], `events found by bob (a member) for "${word}"`);
        assertEqual(found.results[0].result.room_id, roomId, "room_id of the event found");
        assertEqual(found.results[0].result.content.body, `the quick ${word} jumps`, "body of the event found");
        assert(typeof found.results[0].rank === "number", "the result has no numeric rank");
        if (found.count !== undefined) assertEqual(found.count, 1, "count of results found by bob");

        // The word's room only, through a filter; and the context around the hit.
        const filtered = (await roomEventsSearch(a, word, { filter: { rooms: [roomId] }, event_context: { before_limit: 1, after_limit: 1 } }))
            .search_categories.room_events;
        assertEqual(filtered.results?.map((r) => r.result.event_id), [hitId], "events found by alice in the room filter");
        const after = filtered.results[0].context?.events_after ?? [];
        assert(after.some((e) => e.content?.body === "nothing to see here"), `the message after the hit is not in its context: ${JSON.stringify(after)}`);

        // Eve is in no room with the word: nothing.
        const none = (await roomEventsSearch(eve.client, word)).search_categories.room_events;
        assertEqual(none.results ?? [], [], `events found by eve (not a member) for "${word}"`);
        // Nor when she names the room in a filter.
        const forced = (await roomEventsSearch(eve.client, word, { filter: { rooms: [roomId] } })).search_categories.room_events;
        assertEqual(forced.results ?? [], [], "events found by eve when she filters on the room");

        // A word nobody said is not found.
        const nothing = (await roomEventsSearch(a, `${word}zz`)).search_categories.room_events;
        assertEqual(nothing.results ?? [], [], "events found for a word nobody said");
    },
};
