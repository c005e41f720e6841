package org.hearth.spec.auth;

import static org.hearth.spec.auth.TestRoom.ALICE;
import static org.hearth.spec.auth.TestRoom.BOB;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.util.List;
import org.hearth.spec.crypto.Signatures;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.room.RoomVersion;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** Rule 4.4.1.7: a signature in {@code third_party_invite.signed} must match a key of the invite event. */
class ThirdPartyInviteTest {
    static final List<RoomVersion> ALL = RoomVersion.ALL;

    private static final SigningKey IDENTITY_KEY = SigningKey.generate("0");
    private static final SigningKey OTHER_KEY = SigningKey.generate("1");

    private static TestRoom roomWithInvite(RoomVersion version, JsonObject inviteContent) {
        TestRoom room = TestRoom.standard(version, "invite");
        room.put(room.state("m.room.third_party_invite", "tok", ALICE, inviteContent).build());
        return room;
    }

    private static Pdu invite(TestRoom room, SigningKey key) {
        JsonObject signed = Json.createObjectBuilder()
                .add("mxid", BOB).add("token", "tok").add("sender", ALICE).build();
        signed = Signatures.sign(signed, "id.example", key);
        JsonObject content = Json.createObjectBuilder().add("membership", "invite")
                .add("third_party_invite", Json.createObjectBuilder()
                        .add("display_name", "b...").add("signed", signed)).build();
        return room.member(ALICE, BOB, "invite").content(content).build();
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void signatureByTheSinglePublicKeyAllows(RoomVersion version) {
        TestRoom room = roomWithInvite(version, Json.createObjectBuilder()
                .add("display_name", "b...").add("public_key", IDENTITY_KEY.publicKeyBase64()).build());
        room.assertAllowed(invite(room, IDENTITY_KEY));
        room.assertRejected(invite(room, OTHER_KEY));
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void signatureByAnyOfPublicKeysAllows(RoomVersion version) {
        TestRoom room = roomWithInvite(version, Json.createObjectBuilder()
                .add("display_name", "b...").add("public_key", "not base64!")
                .add("public_keys", Json.createArrayBuilder()
                        .add(Json.createObjectBuilder().add("public_key", "AAAA"))
                        .add(Json.createObjectBuilder().add("public_key", IDENTITY_KEY.publicKeyBase64())))
                .build());
        room.assertAllowed(invite(room, IDENTITY_KEY));
        room.assertRejected(invite(room, OTHER_KEY));
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void thirdPartyInviteNeedsNoInvitePowerButTheBanRuleHolds(RoomVersion version) {
        TestRoom room = roomWithInvite(version, Json.createObjectBuilder()
                .add("display_name", "b...").add("public_key", IDENTITY_KEY.publicKeyBase64()).build());
        room.setMembership(BOB, "ban");
        room.assertRejected(invite(room, IDENTITY_KEY));
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void tamperedSignedIsRejected(RoomVersion version) {
        TestRoom room = roomWithInvite(version, Json.createObjectBuilder()
                .add("display_name", "b...").add("public_key", IDENTITY_KEY.publicKeyBase64()).build());
        Pdu good = invite(room, IDENTITY_KEY);
        JsonObject tpi = good.content().getJsonObject("third_party_invite");
        JsonObject signed = Json.createObjectBuilder(tpi.getJsonObject("signed")).add("extra", "x").build();
        JsonObject content = Json.createObjectBuilder(good.content())
                .add("third_party_invite", Json.createObjectBuilder(tpi).add("signed", signed)).build();
        room.assertRejected(room.member(ALICE, BOB, "invite").content(content).build());
    }
}
