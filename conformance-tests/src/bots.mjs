// A user's DM with a Hearth plugin's bot, as any client has it: invite the bot, wait until it joined, write a
// command, read the bot's answer (its first message after ours).
import * as sdk from "matrix-js-sdk";
import { eventually } from "./harness.mjs";

export async function botChat(user, localpart) {
    const bot = `@${localpart}:${user.userId.slice(user.userId.indexOf(":") + 1)}`;
    const { room_id: roomId } = await user.client.createRoom({ is_direct: true, preset: sdk.Preset.TrustedPrivateChat,
        invite: [bot] });
    await eventually(async () => (await user.client.getStateEvent(roomId, "m.room.member", bot).catch(() => ({})))
        .membership === "join", `${bot} joins the DM`, 30_000);
    return {
        bot,
        roomId,
        async ask(text) {
            const { event_id: sent } = await user.client.sendMessage(roomId, { msgtype: sdk.MsgType.Text, body: text });
            return eventually(async () => {
                const page = await user.client.createMessagesRequest(roomId, null, 50, sdk.Direction.Backward);
                let answer = null;
                for (const e of page.chunk) { // newest first: the last bot message before ours is the answer to it
                    if (e.event_id === sent) return answer;
                    if (e.sender === bot && e.type === "m.room.message") answer = e.content.body;
                }
                return null;
            }, `${bot}'s answer to ${text}`, 30_000);
        },
    };
}
