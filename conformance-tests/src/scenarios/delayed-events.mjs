// Delayed events (MSC4140) as MatrixRTC clients (Element Call, matrix-js-sdk's MembershipManager) use them: alice
// schedules a delayed "leave" call-member state event with _unstable_sendDelayedStateEvent, sends her "join" at the
// same state key, and keeps restarting the delay; once she stops, bob sees the leave arrive. A cancelled one never
// arrives; "send" sends at once; an unknown delay ID is M_NOT_FOUND (js-sdk reschedules on that).
import * as sdk from "matrix-js-sdk";
import { assert, assertEqual, eventually } from "../harness.mjs";

const MEMBER = "org.matrix.msc3401.call.member";
const DELAY_MS = 3000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function memberContent(user, roomId, stateKey) {
    try {
        return await user.client.getStateEvent(roomId, MEMBER, stateKey);
    } catch (e) {
        if (e.errcode === "M_NOT_FOUND") return null;
        throw e;
    }
}

async function messageBodies(user, roomId) {
    const page = await user.client.createMessagesRequest(roomId, null, 50, sdk.Direction.Backward);
    return page.chunk.filter((e) => e.type === "m.room.message").map((e) => e.content.body);
}

export const delayedEvents = {
    name: "delayed-events",
    timeoutMs: 90_000,
    async run({ hs1 }) {
        const alice = await hs1.register("alice");
        const bob = await hs1.register("bob");
        const { room_id: roomId } = await alice.client.createRoom({ preset: sdk.Preset.PublicChat, name: "call room" });
        await bob.client.joinRoom(roomId);
        // A delayed PUT answers {delay_id} instead of the spec's {event_id}: MSC4140 is not in the spec the
        // responses are validated against, so alice's delayed calls go through a client without that check.
        const a = sdk.createClient({ baseUrl: hs1.clientUrl, accessToken: alice.client.getAccessToken(),
            userId: alice.userId, deviceId: alice.client.getDeviceId(), localTimeoutMs: 60_000 });
        assert(await a.doesServerSupportUnstableFeature("org.matrix.msc4140"),
            "/versions does not list org.matrix.msc4140 in unstable_features");

        // The MembershipManager's order: the delayed leave first, then the join at the same key; the owner's own
        // state change does not cancel her delayed event.
        const stateKey = `_${alice.userId}_${a.getDeviceId()}`;
        const { delay_id: leaveId } = await a._unstable_sendDelayedStateEvent(roomId, { delay: DELAY_MS }, MEMBER, {},
            stateKey);
        assert(typeof leaveId === "string" && leaveId.length > 0, "no delay_id for the delayed state event");
        const join = { application: "m.call", call_id: "", scope: "m.room", device_id: a.getDeviceId(),
            focus_active: { type: "livekit", focus_selection: "oldest_membership" }, foci_preferred: [] };
        await alice.client.sendStateEvent(roomId, MEMBER, join, stateKey);
        const listed = await a._unstable_getDelayedEvents();
        const mine = listed.delayed_events.find((d) => d.delay_id === leaveId);
        assert(mine, `the delayed leave is not in the list: ${JSON.stringify(listed)}`);
        assertEqual([mine.room_id, mine.type, mine.state_key, mine.delay], [roomId, MEMBER, stateKey, DELAY_MS],
            "the listed delayed event");

        // Heartbeat: restarts every second for twice the delay keep the join in place.
        const end = Date.now() + 2 * DELAY_MS;
        while (Date.now() < end) {
            await a._unstable_updateDelayedEvent(leaveId, sdk.UpdateDelayedEventAction.Restart);
            await sleep(1000);
        }
        assertEqual((await memberContent(bob, roomId, stateKey))?.application, "m.call",
            "bob's view of alice's membership while she restarts the delay");
        const lastRestart = Date.now();
        await a._unstable_updateDelayedEvent(leaveId, sdk.UpdateDelayedEventAction.Restart);
        // She vanishes: the leave arrives, not before the delay.
        await eventually(async () => {
            const c = await memberContent(bob, roomId, stateKey);
            return c && Object.keys(c).length === 0;
        }, "the delayed leave in bob's view of the room state", 30_000);
        assert(Date.now() - lastRestart >= DELAY_MS - 500, "the delayed leave arrived before its delay");
        try {
            await a._unstable_updateDelayedEvent(leaveId, sdk.UpdateDelayedEventAction.Restart);
            throw new Error("restarting a sent delayed event succeeded");
        } catch (e) {
            if (!e.httpStatus) throw e;
            assertEqual([e.httpStatus, e.errcode], [404, "M_NOT_FOUND"], "restart of a sent delayed event");
        }

        // Cancel: never sent. A later delayed message with a longer delay is the marker that it would have been.
        const { delay_id: cancelled } = await a._unstable_sendDelayedEvent(roomId, { delay: 1000 }, null,
            "m.room.message", { msgtype: "m.text", body: "cancelled" });
        await a._unstable_updateDelayedEvent(cancelled, sdk.UpdateDelayedEventAction.Cancel);
        await a._unstable_sendDelayedEvent(roomId, { delay: 2000 }, null, "m.room.message", { msgtype: "m.text", body: "marker" });
        await eventually(async () => (await messageBodies(bob, roomId)).includes("marker"), "the marker message", 30_000);
        assert(!(await messageBodies(bob, roomId)).includes("cancelled"), "the cancelled delayed message was sent");

        // Send now: a delayed event of an hour goes out at once.
        const { delay_id: now } = await a._unstable_sendDelayedEvent(roomId, { delay: 3_600_000 }, null,
            "m.room.message", { msgtype: "m.text", body: "sent now" });
        await a._unstable_updateDelayedEvent(now, sdk.UpdateDelayedEventAction.Send);
        assert((await messageBodies(bob, roomId)).includes("sent now"), "the delayed message sent with action send");
        assertEqual((await a._unstable_getDelayedEvents()).delayed_events.length, 0, "delayed events left pending");
    },
};
