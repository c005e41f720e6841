package org.hearth.spec.auth;

import static org.hearth.spec.auth.AuthRules.domain;
import static org.hearth.spec.auth.AuthRules.membership;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hearth.spec.crypto.Signatures;
import org.hearth.spec.crypto.UnpaddedBase64;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.room.RoomVersion;

/** Rule 4 of the authorization rules: {@code m.room.member} events (rule 5 in v1-v5 and v12). */
final class MembershipRules {
    private MembershipRules() {}

    static AuthResult check(RoomVersion version, Pdu event, Map<StateKey, Pdu> state, Pdu create,
                            PowerLevels powerLevels, SignatureCheck signatures) {
        JsonObject content = event.content();
        // 4.1
        if (event.stateKey().isEmpty() || !content.containsKey("membership")) {
            return AuthResult.rejected("m.room.member without state_key or membership");
        }
        // 4.2 from v8
        if (version.restrictedJoinRule() && content.containsKey("join_authorised_via_users_server")) {
            if (!(content.get("join_authorised_via_users_server") instanceof JsonString authoriser)
                    || !signatures.isSignedBy(event, domain(authoriser.getString()))) {
                return AuthResult.rejected("not signed by the server of join_authorised_via_users_server");
            }
        }
        String target = event.stateKey().get();
        Pdu joinRules = state.get(AuthRules.JOIN_RULES_KEY);
        String joinRule = joinRules == null ? null : joinRules.content().getString("join_rule", null);
        String membership = content.getString("membership", "");
        return switch (membership) {
            case "join" -> join(version, event, state, create, powerLevels, joinRule);
            case "invite" -> invite(version, event, state, powerLevels, target);
            case "leave" -> leave(version, event, state, powerLevels, target);
            case "ban" -> ban(event, state, powerLevels, target);
            case "knock" -> version.knockJoinRule()
                    ? knock(version, event, state, joinRule, target)
                    : AuthResult.rejected("unknown membership " + membership);
            // 4.8
            default -> AuthResult.rejected("unknown membership " + membership);
        };
    }

    // 4.3
    private static AuthResult join(RoomVersion version, Pdu event, Map<StateKey, Pdu> state, Pdu create,
                                   PowerLevels powerLevels, String joinRule) {
        String sender = event.sender();
        String target = event.stateKey().orElseThrow();
        // 4.3.1: the creator's own join right after the create event.
        List<String> prev = event.prevEvents();
        if (prev.size() == 1 && prev.getFirst().equals(create.eventId())
                && target.equals(PowerLevels.creator(version, create))) {
            return AuthResult.ALLOWED;
        }
        // 4.3.2
        if (!target.equals(sender)) {
            return AuthResult.rejected("join for someone else");
        }
        String current = membership(state, sender);
        // 4.3.3
        if ("ban".equals(current)) {
            return AuthResult.rejected("the sender is banned");
        }
        boolean invitedOrJoined = "invite".equals(current) || "join".equals(current);
        // 4.3.4; 'knock' from v7
        if ("invite".equals(joinRule) || (version.knockJoinRule() && "knock".equals(joinRule))) {
            return invitedOrJoined
                    ? AuthResult.ALLOWED
                    : AuthResult.rejected("join rule " + joinRule + " needs an invite");
        }
        // 4.3.5: 'restricted' from v8, 'knock_restricted' from v10
        if ((version.restrictedJoinRule() && "restricted".equals(joinRule))
                || (version.knockRestrictedJoinRule() && "knock_restricted".equals(joinRule))) {
            // 4.3.5.1
            if (invitedOrJoined) {
                return AuthResult.ALLOWED;
            }
            // 4.3.5.2
            String authoriser = event.content().getString("join_authorised_via_users_server", null);
            if (authoriser == null || !"join".equals(membership(state, authoriser))
                    || powerLevels.userLevel(authoriser) < powerLevels.invite()) {
                return AuthResult.rejected(
                        "join_authorised_via_users_server is not a joined user who may invite");
            }
            // 4.3.5.3
            return AuthResult.ALLOWED;
        }
        // 4.3.6
        if ("public".equals(joinRule)) {
            return AuthResult.ALLOWED;
        }
        // 4.3.7
        return AuthResult.rejected("join rule " + joinRule + " does not allow this join");
    }

    // 4.4
    private static AuthResult invite(RoomVersion version, Pdu event, Map<StateKey, Pdu> state, PowerLevels powerLevels,
                                     String target) {
        JsonObject content = event.content();
        // 4.4.1
        if (content.containsKey("third_party_invite")) {
            return thirdPartyInvite(version, event, state, target);
        }
        // 4.4.2
        if (!"join".equals(membership(state, event.sender()))) {
            return AuthResult.rejected("the inviter is not joined");
        }
        // 4.4.3
        String targetMembership = membership(state, target);
        if ("join".equals(targetMembership) || "ban".equals(targetMembership)) {
            return AuthResult.rejected("the invitee is " + targetMembership);
        }
        // 4.4.4, 4.4.5
        return powerLevels.userLevel(event.sender()) >= powerLevels.invite()
                ? AuthResult.ALLOWED
                : AuthResult.rejected("the inviter is below the invite level");
    }

    // 4.4.1
    private static AuthResult thirdPartyInvite(RoomVersion version, Pdu event, Map<StateKey, Pdu> state, String target) {
        // 4.4.1.1
        if ("ban".equals(membership(state, target))) {
            return AuthResult.rejected("the invitee is banned");
        }
        // 4.4.1.2
        if (!(event.content().get("third_party_invite") instanceof JsonObject invite)
                || !(invite.get("signed") instanceof JsonObject signed)) {
            return AuthResult.rejected("third_party_invite without signed");
        }
        // 4.4.1.3
        if (!(signed.get("mxid") instanceof JsonString mxid) || !(signed.get("token") instanceof JsonString token)) {
            return AuthResult.rejected("third_party_invite.signed without mxid and token");
        }
        // 4.4.1.4
        if (!mxid.getString().equals(target)) {
            return AuthResult.rejected("third_party_invite.signed.mxid is not the state_key");
        }
        // 4.4.1.5
        Pdu thirdPartyInvite = state.get(StateKey.of(AuthRules.THIRD_PARTY_INVITE, token.getString()));
        if (thirdPartyInvite == null) {
            return AuthResult.rejected("no m.room.third_party_invite for the token");
        }
        // 4.4.1.6
        if (!event.sender().equals(thirdPartyInvite.sender())) {
            return AuthResult.rejected("the sender did not send the m.room.third_party_invite");
        }
        // 4.4.1.7, 4.4.1.8
        return signedByAnyKey(version, signed, publicKeys(thirdPartyInvite.content()))
                ? AuthResult.ALLOWED
                : AuthResult.rejected("no signature in third_party_invite.signed matches a public key");
    }

    // 4.4.1.7.1 and 4.4.1.7.2: public_key, then each public_keys[].public_key.
    private static List<byte[]> publicKeys(JsonObject content) {
        List<String> encoded = new ArrayList<>();
        if (content.get("public_key") instanceof JsonString key) {
            encoded.add(key.getString());
        }
        if (content.get("public_keys") instanceof JsonArray keys) {
            for (JsonValue entry : keys) {
                if (entry instanceof JsonObject o && o.get("public_key") instanceof JsonString key) {
                    encoded.add(key.getString());
                }
            }
        }
        List<byte[]> keys = new ArrayList<>();
        for (String text : encoded) {
            try {
                keys.add(UnpaddedBase64.decode(text));
            } catch (IllegalArgumentException malformed) {
                // a key that is not base64 matches no signature
            }
        }
        return keys;
    }

    private static boolean signedByAnyKey(RoomVersion version, JsonObject signed, List<byte[]> keys) {
        if (!(signed.get("signatures") instanceof JsonObject signatures)) {
            return false;
        }
        for (Map.Entry<String, JsonValue> server : signatures.entrySet()) {
            if (!(server.getValue() instanceof JsonObject byKeyId)) {
                continue;
            }
            for (String keyId : byKeyId.keySet()) {
                for (byte[] key : keys) {
                    if (Signatures.verify(signed, server.getKey(), keyId, key, version)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    // 4.5
    private static AuthResult leave(RoomVersion version, Pdu event, Map<StateKey, Pdu> state,
                                    PowerLevels powerLevels, String target) {
        String sender = event.sender();
        // 4.5.1; leaving a knock from v7
        if (sender.equals(target)) {
            String current = membership(state, sender);
            boolean allowed = "invite".equals(current) || "join".equals(current)
                    || (version.knockJoinRule() && "knock".equals(current));
            return allowed ? AuthResult.ALLOWED : AuthResult.rejected("leaving without being invited or joined");
        }
        // 4.5.2
        if (!"join".equals(membership(state, sender))) {
            return AuthResult.rejected("the sender is not joined");
        }
        long senderLevel = powerLevels.userLevel(sender);
        // 4.5.3
        if ("ban".equals(membership(state, target)) && senderLevel < powerLevels.ban()) {
            return AuthResult.rejected("unbanning needs the ban level");
        }
        // 4.5.4, 4.5.5
        return senderLevel >= powerLevels.kick() && powerLevels.userLevel(target) < senderLevel
                ? AuthResult.ALLOWED
                : AuthResult.rejected("kicking needs the kick level and more power than the target");
    }

    // 4.6
    private static AuthResult ban(Pdu event, Map<StateKey, Pdu> state, PowerLevels powerLevels, String target) {
        String sender = event.sender();
        // 4.6.1
        if (!"join".equals(membership(state, sender))) {
            return AuthResult.rejected("the sender is not joined");
        }
        long senderLevel = powerLevels.userLevel(sender);
        // 4.6.2, 4.6.3
        return senderLevel >= powerLevels.ban() && powerLevels.userLevel(target) < senderLevel
                ? AuthResult.ALLOWED
                : AuthResult.rejected("banning needs the ban level and more power than the target");
    }

    // 4.7, from v7
    private static AuthResult knock(RoomVersion version, Pdu event, Map<StateKey, Pdu> state, String joinRule,
                                    String target) {
        // 4.7.1; 'knock_restricted' from v10
        if (!"knock".equals(joinRule) && !(version.knockRestrictedJoinRule() && "knock_restricted".equals(joinRule))) {
            return AuthResult.rejected("join rule " + joinRule + " does not allow knocking");
        }
        // 4.7.2
        if (!event.sender().equals(target)) {
            return AuthResult.rejected("knock for someone else");
        }
        // 4.7.3, 4.7.4
        String current = membership(state, event.sender());
        return "ban".equals(current) || "invite".equals(current) || "join".equals(current)
                ? AuthResult.rejected("knocking while " + current)
                : AuthResult.ALLOWED;
    }
}
