package org.hearth.spec.push;

import static org.hearth.spec.push.PushRuleKind.OVERRIDE;
import static org.hearth.spec.push.PushRuleKind.UNDERRIDE;

import jakarta.json.JsonValue;
import java.util.List;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/**
 * The server-default rules of spec v1.17 ("Predefined Rules"), in the spec's order and with its definitions.
 *
 * <p>v1.17 removed the legacy rules that looked for mentions in the body ({@code .m.rule.contains_display_name},
 * {@code .m.rule.roomnotif}, {@code .m.rule.contains_user_name}), so they are not here; the
 * {@code contains_display_name} condition itself is still defined and evaluated for user rules. The spec
 * lists no default content, room or sender rules.
 */
public final class ServerDefaultRules {
    private ServerDefaultRules() {}

    // Conditions that do not name the user, one instance for all users: PushEvent remembers a condition's outcome
    // per event, and a look-up that finds the very same instance skips comparing it.
    private static final PushCondition NOTICE = match("content.msgtype", "m.notice");
    private static final PushCondition MEMBER_EVENT = match("type", "m.room.member");
    private static final PushCondition INVITE = match("content.membership", "invite");
    private static final PropertyPath MENTIONED_USERS = PropertyPath.parse("content.m\\.mentions.user_ids");
    private static final PushCondition ROOM_MENTION = new PushCondition.EventPropertyIs(
            PropertyPath.parse("content.m\\.mentions.room"), JsonValue.TRUE);
    private static final PushCondition MAY_NOTIFY_ROOM = new PushCondition.SenderNotificationPermission("room");
    private static final PushCondition TOMBSTONE = match("type", "m.room.tombstone");
    private static final PushCondition EMPTY_STATE_KEY = match("state_key", "");
    private static final PushCondition REACTION = match("type", "m.reaction");
    private static final PushCondition SERVER_ACL = match("type", "m.room.server_acl");
    private static final PushCondition EDIT = new PushCondition.EventPropertyIs(
            PropertyPath.parse("content.m\\.relates_to.rel_type"), Json.string("m.replace"));
    private static final List<PushRule> UNDERRIDE_RULES = List.of(
            rule(".m.rule.call", UNDERRIDE, true, List.of(match("type", "m.call.invite")),
                    List.of(PushAction.NOTIFY, PushAction.sound("ring"))),
            rule(".m.rule.encrypted_room_one_to_one", UNDERRIDE, true,
                    List.of(new PushCondition.RoomMemberCount("2"), match("type", "m.room.encrypted")),
                    List.of(PushAction.NOTIFY, PushAction.sound("default"))),
            rule(".m.rule.room_one_to_one", UNDERRIDE, true,
                    List.of(new PushCondition.RoomMemberCount("2"), match("type", "m.room.message")),
                    List.of(PushAction.NOTIFY, PushAction.sound("default"))),
            rule(".m.rule.message", UNDERRIDE, true, List.of(match("type", "m.room.message")),
                    List.of(PushAction.NOTIFY)),
            rule(".m.rule.encrypted", UNDERRIDE, true, List.of(match("type", "m.room.encrypted")),
                    List.of(PushAction.NOTIFY)));

    /** The default override rules for {@code user}, {@code .m.rule.master} first. */
    public static List<PushRule> override(UserId user) {
        String me = user.value();
        return List.of(
                rule(".m.rule.master", OVERRIDE, false, List.of(), List.of()),
                rule(".m.rule.suppress_notices", OVERRIDE, true, List.of(NOTICE), List.of()),
                rule(".m.rule.invite_for_me", OVERRIDE, true,
                        List.of(MEMBER_EVENT, INVITE, match("state_key", me)),
                        List.of(PushAction.NOTIFY, PushAction.sound("default"))),
                rule(".m.rule.member_event", OVERRIDE, true, List.of(MEMBER_EVENT), List.of()),
                rule(".m.rule.is_user_mention", OVERRIDE, true,
                        List.of(new PushCondition.EventPropertyContains(MENTIONED_USERS, Json.string(me))),
                        List.of(PushAction.NOTIFY, PushAction.sound("default"), PushAction.highlight())),
                rule(".m.rule.is_room_mention", OVERRIDE, true, List.of(ROOM_MENTION, MAY_NOTIFY_ROOM),
                        List.of(PushAction.NOTIFY, PushAction.highlight())),
                rule(".m.rule.tombstone", OVERRIDE, true, List.of(TOMBSTONE, EMPTY_STATE_KEY),
                        List.of(PushAction.NOTIFY, PushAction.highlight())),
                rule(".m.rule.reaction", OVERRIDE, true, List.of(REACTION), List.of()),
                rule(".m.rule.room.server_acl", OVERRIDE, true, List.of(SERVER_ACL, EMPTY_STATE_KEY), List.of()),
                rule(".m.rule.suppress_edits", OVERRIDE, true, List.of(EDIT), List.of()));
    }

    /** The default underride rules, in the spec's order. */
    public static List<PushRule> underride() {
        return UNDERRIDE_RULES;
    }

    /** All server-default rules for {@code user}, as a ruleset with no user rules. */
    public static PushRuleset forUser(UserId user) {
        return new PushRuleset(override(user), List.of(), List.of(), List.of(), underride());
    }

    private static PushRule rule(String id, PushRuleKind kind, boolean enabled, List<PushCondition> conditions,
                                 List<PushAction> actions) {
        return PushRule.conditional(id, kind, true, enabled, conditions, actions);
    }

    private static PushCondition match(String key, String pattern) {
        return new PushCondition.EventMatch(PropertyPath.parse(key), Glob.of(pattern));
    }
}
