package org.hearth.spec.push;

import java.util.OptionalLong;
import java.util.function.Function;
import org.hearth.spec.auth.PowerLevels;
import org.hearth.spec.id.UserId;

/**
 * The facts about the room and the user that conditions need and the event does not hold; the server looks
 * them up at the event's position in the room.
 *
 * @param userId             whose rules are evaluated
 * @param displayName        the user's display name in the room, for {@code contains_display_name}; null when
 *                           the user has none
 * @param memberCount        the room's current member count, for {@code room_member_count}
 * @param senderPowerLevel   the event sender's power level, for {@code sender_notification_permission}
 * @param notificationLevels the level the room requires per {@code notifications} key; empty when the key
 *                           has no level
 */
public record EvaluationContext(UserId userId, String displayName, long memberCount, long senderPowerLevel,
                                Function<String, OptionalLong> notificationLevels) {

    /** A context reading the sender's level and notification levels from the room's power levels. */
    public static EvaluationContext of(UserId userId, String displayName, long memberCount,
                                       PowerLevels powerLevels, String sender) {
        return new EvaluationContext(userId, displayName, memberCount, powerLevels.userLevel(sender),
                powerLevels::notificationLevel);
    }
}
