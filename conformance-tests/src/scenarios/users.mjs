// Finding people as a client does: the user directory searched by display name and by user ID.
import crypto from "node:crypto";
import * as sdk from "matrix-js-sdk";
import { assert, assertEqual, eventually } from "../harness.mjs";

// Spec: Client-Server API, "User Directory" (POST /user_directory/search: local users MUST be considered,
// case-insensitive matching on user ID and display name, limited).
export const userDirectory = {
    name: "user-directory",
    async run({ hs1 }) {
        const alice = await hs1.register("alice");
        const bob = await hs1.register("bob");
        const tag = `Zebedee${crypto.randomBytes(3).toString("hex")}`;
        await alice.client.setDisplayName(`${tag} Alice`);
        // Servers may restrict the directory to users who share a room (or are in public rooms): they do.
        const { room_id: roomId } = await alice.client.createRoom({ preset: sdk.Preset.PrivateChat, name: "directory" });
        await alice.client.invite(roomId, bob.userId);
        await bob.client.joinRoom(roomId);

        const byName = await eventually(async () => {
            const res = await bob.client.searchUserDirectory({ term: tag.toLowerCase() });
            return res.results.length ? res : null;
        }, "alice to be found in the user directory by display name");
        assertEqual(byName.results.map((u) => u.user_id), [alice.userId], `users found for "${tag.toLowerCase()}"`);
        assertEqual(byName.results[0].display_name, `${tag} Alice`, "display_name of the user found");
        assertEqual(byName.limited, false, "limited with a single result");

        const byId = await bob.client.searchUserDirectory({ term: alice.username });
        assert(byId.results.some((u) => u.user_id === alice.userId), `alice is not found by her user ID's localpart ${alice.username}`);

        // A display name change is searchable.
        await alice.client.setDisplayName(`Renamed ${tag}x`);
        await eventually(async () => {
            const res = await bob.client.searchUserDirectory({ term: `Renamed ${tag}x` });
            return res.results.some((u) => u.user_id === alice.userId && u.display_name === `Renamed ${tag}x`);
        }, "alice's new display name in the user directory");

        // limit: several matches, fewer returned, limited set.
        const more = await hs1.register("carol");
        await more.client.setDisplayName(`${tag} Carol`);
        await alice.client.invite(roomId, more.userId);
        await more.client.joinRoom(roomId);
        const limited = await eventually(async () => {
            const res = await bob.client.searchUserDirectory({ term: tag, limit: 1 });
            return res.limited ? res : null;
        }, "a search limited to one result to say limited");
        assertEqual(limited.results.length, 1, "number of results with limit=1");
        assertEqual(limited.limited, true, "limited with more matches than the limit");
    },
};
