// The stickers plugin as a client uses it: a room image pack written through the plugin lands under the spec's
// and the unstable state names with one content, enabling it writes both account data names, an m.sticker of
// uploaded media is accepted and a malformed one refused, and the plugin's bot answers !help in a DM.
// Runs only against a server with the plugin (HEARTH_TEST_PLUGINS=plugins/stickers/target/<jar>).
import * as sdk from "matrix-js-sdk";
import { assert, assertEqual, eventually } from "../harness.mjs";

const PLUGIN = { prefix: "/_hearth/plugins/stickers" };

// A 1x1 transparent PNG.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64");

async function refused(promise, status, errcode, what) {
    try {
        await promise;
    } catch (e) {
        if (!e.httpStatus) throw e;
        assertEqual([e.httpStatus, e.errcode], [status, errcode], `HTTP status and errcode of ${what}`);
        return;
    }
    throw new Error(`${what} succeeded`);
}

export const stickers = {
    name: "stickers",
    plugins: ["stickers"],
    timeoutMs: 120_000,
    async run({ hs1 }) {
        const alice = await hs1.register("alice");
        const { room_id: roomId } = await alice.client.createRoom({ preset: sdk.Preset.PrivateChat, name: "stickers" });
        const { content_uri: mxc } = await alice.client.uploadContent(PNG, { type: "image/png", name: "dot.png" });
        const pack = {
            images: { dot: { url: mxc, body: "a dot", info: { mimetype: "image/png", w: 1, h: 1, size: PNG.length } } },
            pack: { display_name: "Dots", usage: ["sticker"] },
        };
        const packPath = `/rooms/${encodeURIComponent(roomId)}/packs/dots`;

        await refused(alice.client.http.authedRequest(sdk.Method.Put, packPath, undefined,
            { images: { "not a shortcode": { url: mxc } } }, PLUGIN), 400, "M_BAD_JSON", "a pack with a bad shortcode");
        await alice.client.http.authedRequest(sdk.Method.Put, packPath, undefined, pack, PLUGIN);
        const stable = await alice.client.getStateEvent(roomId, "m.room.image_pack", "dots");
        const unstable = await alice.client.getStateEvent(roomId, "im.ponies.room_emotes", "dots");
        assertEqual(stable, pack, "m.room.image_pack content");
        assertEqual(unstable, stable, "im.ponies.room_emotes content");

        await alice.client.http.authedRequest(sdk.Method.Put, `${packPath}/enabled`, undefined, {}, PLUGIN);
        const enabled = await alice.client.getAccountDataFromServer("m.image_pack.rooms");
        assertEqual(enabled?.rooms?.[roomId], { dots: {} }, "the pack in m.image_pack.rooms");
        assertEqual(await alice.client.getAccountDataFromServer("im.ponies.emote_rooms"), enabled, "im.ponies.emote_rooms");

        const { event_id: stickerId } = await alice.client.sendEvent(roomId, sdk.EventType.Sticker,
            { body: "a dot", url: mxc, info: pack.images.dot.info });
        assert(stickerId, "the sticker was sent");
        await refused(alice.client.sendEvent(roomId, sdk.EventType.Sticker, { body: "no info", url: mxc }),
            400, "M_BAD_JSON", "a sticker without info");

        // The bot, reached from an unmodified client: a DM answering !help.
        const server = alice.userId.slice(alice.userId.indexOf(":") + 1);
        const bot = `@stickers:${server}`;
        await alice.client.http.authedRequest(sdk.Method.Get, "/packs", undefined, undefined, PLUGIN); // the bot exists
        const { room_id: dm } = await alice.client.createRoom({ is_direct: true, preset: sdk.Preset.TrustedPrivateChat, invite: [bot] });
        await eventually(async () => (await alice.client.getStateEvent(dm, "m.room.member", bot)).membership === "join",
            "the bot joins the DM", 30_000);
        await alice.client.sendMessage(dm, { msgtype: sdk.MsgType.Text, body: "!help" });
        await eventually(async () => {
            const page = await alice.client.createMessagesRequest(dm, null, 20, sdk.Direction.Backward);
            return page.chunk.some((e) => e.sender === bot && e.content?.msgtype === "m.notice" && e.content.body.includes("!packs"));
        }, "the bot's answer to !help", 30_000);
    },
};
