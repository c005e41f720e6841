// Spaces as a client browses them: a space room with m.space.child links, walked by GET /hierarchy.
import * as sdk from "matrix-js-sdk";
import { assert, assertEqual } from "../harness.mjs";

// Spec: Client-Server API, "Spaces" (m.space.child, m.space.parent) and GET /rooms/{roomId}/hierarchy
// (max_depth, suggested_only, pagination, access).
export const spacesHierarchy = {
    name: "spaces-hierarchy",
    async run({ hs1 }) {
        const alice = await hs1.register("alice");
        const bob = await hs1.register("bob");
        const a = alice.client;
        const via = [alice.userId.slice(alice.userId.indexOf(":") + 1)];

        const { room_id: spaceId } = await a.createRoom({ preset: sdk.Preset.PublicChat, name: "the space",
            topic: "a space", creation_content: { type: sdk.RoomType.Space } });
        const { room_id: generalId } = await a.createRoom({ preset: sdk.Preset.PublicChat, name: "general" });
        const { room_id: subspaceId } = await a.createRoom({ preset: sdk.Preset.PublicChat, name: "sub-space",
            creation_content: { type: sdk.RoomType.Space } });
        const { room_id: deepId } = await a.createRoom({ preset: sdk.Preset.PublicChat, name: "deep room" });
        const { room_id: privateId } = await a.createRoom({ preset: sdk.Preset.PrivateChat, name: "invite only" });
        const link = (parent, child, content = {}) => a.sendStateEvent(parent, sdk.EventType.SpaceChild, { via, ...content }, child);
        await link(spaceId, generalId, { suggested: true, order: "a" });
        await link(spaceId, subspaceId, { order: "b" });
        await link(spaceId, privateId, { order: "c" });
        await link(subspaceId, deepId);
        await a.sendStateEvent(generalId, sdk.EventType.SpaceParent, { via, canonical: true }, spaceId);

        // Bob, not in any of them, walks the public space.
        const b = bob.client;
        const walk = async (opts) => {
            const rooms = [];
            let from;
            for (let page = 0; page < 20; page++) {
                const res = await b.getRoomHierarchy(spaceId, opts.limit, opts.maxDepth, opts.suggestedOnly, from);
                rooms.push(...res.rooms);
                if (!res.next_batch) break;
                from = res.next_batch;
            }
            return rooms;
        };
        const all = await walk({});
        const ids = all.map((r) => r.room_id);
        assertEqual(ids[0], spaceId, "first room of the hierarchy (the space itself)");
        assertEqual([...ids].sort(), [spaceId, generalId, subspaceId, deepId].sort(),
            "rooms of the hierarchy bob can see (the invite-only child left out)");
        const space = all[0];
        assertEqual(space.room_type, sdk.RoomType.Space, "room_type of the space in the hierarchy");
        assertEqual(space.name, "the space", "name of the space in the hierarchy");
        assertEqual(space.num_joined_members, 1, "num_joined_members of the space");
        const children = space.children_state.map((e) => e.state_key).sort();
        assertEqual(children, [generalId, subspaceId, privateId].sort(), "state_keys of the space's children_state");
        assert(space.children_state.every((e) => e.type === sdk.EventType.SpaceChild && e.origin_server_ts > 0),
            "children_state holds something other than stripped m.space.child events with origin_server_ts");
        assertEqual(all.find((r) => r.room_id === generalId)?.name, "general", "name of a child room in the hierarchy");

        // One room a page gives the same rooms, none twice.
        const paged = await walk({ limit: 1 });
        assertEqual(paged.map((r) => r.room_id), ids, "rooms of the hierarchy one a page");

        // max_depth=1: the space and its direct children only; suggested_only: the suggested child only.
        const shallow = (await walk({ maxDepth: 1 })).map((r) => r.room_id);
        assert(!shallow.includes(deepId), "max_depth=1 reached the sub-space's child");
        assert(shallow.includes(subspaceId) && shallow.includes(generalId), "max_depth=1 left out a direct child");
        const suggested = (await walk({ suggestedOnly: true })).map((r) => r.room_id);
        assertEqual([...suggested].sort(), [spaceId, generalId].sort(), "rooms of the hierarchy with suggested_only");

        // A private space is not walked by someone who cannot see it.
        const { room_id: secretSpace } = await a.createRoom({ preset: sdk.Preset.PrivateChat, name: "secret space",
            creation_content: { type: sdk.RoomType.Space } });
        try {
            await b.getRoomHierarchy(secretSpace);
            throw new Error("bob walked a private space he is not in");
        } catch (e) {
            if (!e.httpStatus) throw e;
            assertEqual(e.errcode, "M_FORBIDDEN", "errcode of /hierarchy of a private space for a non-member");
        }
    },
};
