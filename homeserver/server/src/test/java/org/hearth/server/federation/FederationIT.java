package org.hearth.server.federation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.hearth.core.room.EventDraft;
import org.hearth.federation.client.AddressFilter;
import org.hearth.federation.client.Backoff;
import org.hearth.federation.client.FederationClient;
import org.hearth.federation.client.FederationTls;
import org.hearth.federation.discovery.ServerNameResolver;
import org.hearth.federation.discovery.WellKnownSource;
import org.hearth.federation.client.FederationException;
import org.hearth.federation.inbound.PduChecks;
import org.hearth.federation.keys.VerifyKey;
import org.hearth.server.TestServer;
import org.hearth.spec.crypto.Signatures;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.federation.XMatrix;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Four real Hearth servers on loopback with self-signed certificates (the test-network switches on): A asks B for
 * keys, profiles and room data; C is A's configured notary; D goes away after C has cached its keys.
 */
class FederationIT {
    @RegisterExtension
    @Order(1)
    static final TestServer b = TestServer.federatingOnLoopback();

    @RegisterExtension
    @Order(2)
    static final TestServer c = TestServer.federatingOnLoopback();

    @RegisterExtension
    @Order(3)
    static final TestServer d = TestServer.federatingOnLoopback();

    // A trusts C as a notary, checking C's answers against C's published key.
    @RegisterExtension
    @Order(4)
    static final TestServer a = TestServer.federatingOnLoopback().withLate("notary", () -> {
        JsonObject keys = c.federation("GET", "/_matrix/key/v2/server").assertStatus(200).json();
        Map<String, String> config = new HashMap<>();
        config.put("federation.trusted_key_servers.0.server_name", c.serverName());
        keys.getJsonObject("verify_keys").forEach((id, v) ->
                config.put("federation.trusted_key_servers.0.verify_keys." + id, ((JsonObject) v).getString("key")));
        return config;
    });

    @Test
    void keysAreFetchedDirectlyAndCached() {
        SigningKey bKey = b.signingKey();
        long now = System.currentTimeMillis();
        VerifyKey found = a.server().federation().keys().find(b.serverName(), bKey.keyId(), now).orElseThrow();
        assertArrayEquals(bKey.publicKey(), found.publicKey());
        // Capped at 7 days however long B says; B publishes one day.
        assertTrue(found.validUntilTs() > now && found.validUntilTs() <= now + 7L * 24 * 3600 * 1000);
        assertTrue(a.server().federation().keys().find(b.serverName(), "ed25519:nosuchkey", now).isEmpty());
        // Not valid that far ahead: B's answer says one day.
        assertTrue(a.server().federation().keys().find(b.serverName(), bKey.keyId(), now + 30L * 24 * 3600 * 1000).isEmpty());
    }

    @Test
    void notaryAnswersCarryTheOriginsAndTheNotarysSignatures() {
        SigningKey bKey = b.signingKey();
        SigningKey cKey = c.signingKey();
        JsonObject one = c.federation("GET", "/_matrix/key/v2/query/" + enc(b.serverName())).assertStatus(200).json();
        JsonObject keys = single(one, b.serverName());
        assertTrue(Signatures.verify(keys, b.serverName(), bKey.keyId(), bKey.publicKey()));
        assertTrue(Signatures.verify(keys, c.serverName(), cKey.keyId(), cKey.publicKey()));
        assertEquals(bKey.publicKeyBase64(), keys.getJsonObject("verify_keys").getJsonObject(bKey.keyId()).getString("key"));

        JsonObject many = c.federation("POST", "/_matrix/key/v2/query", body(TestServer.json("server_keys", TestServer.json(
                b.serverName(), TestServer.json(bKey.keyId(), TestServer.json("minimum_valid_until_ts", System.currentTimeMillis())),
                c.serverName(), JsonValue.EMPTY_JSON_OBJECT,
                "unreachable.invalid", JsonValue.EMPTY_JSON_OBJECT)))).assertStatus(200).json();
        assertEquals(2, many.getJsonArray("server_keys").size(), many.toString());
        JsonObject viaPost = single(many, b.serverName());
        assertTrue(Signatures.verify(viaPost, c.serverName(), cKey.keyId(), cKey.publicKey()));
        JsonObject own = single(many, c.serverName());
        assertTrue(Signatures.verify(own, c.serverName(), cKey.keyId(), cKey.publicKey()));

        // No servers asked: an empty list.
        assertEquals(0, c.federation("POST", "/_matrix/key/v2/query", body(TestServer.json("server_keys", JsonValue.EMPTY_JSON_OBJECT)))
                .assertStatus(200).json().getJsonArray("server_keys").size());
    }

    @Test
    void notaryQueryErrors() {
        c.federation("POST", "/_matrix/key/v2/query", body(TestServer.json("server_keys", "nope"))).assertError(400, "M_BAD_JSON");
        c.federation("POST", "/_matrix/key/v2/query", HttpRequest.BodyPublishers.ofString("{not json"))
                .assertError(400, "M_NOT_JSON");
        c.federation("POST", "/_matrix/key/v2/query", body(TestServer.json("server_keys", TestServer.json(
                b.serverName(), TestServer.json("ed25519:x", TestServer.json("minimum_valid_until_ts", "soon"))))))
                .assertError(400, "M_BAD_JSON");
        c.federation("GET", "/_matrix/key/v2/query/" + enc(b.serverName()) + "?minimum_valid_until_ts=soon")
                .assertError(400, "M_INVALID_PARAM");
        c.federation("DELETE", "/_matrix/key/v2/query").assertError(405, "M_UNRECOGNIZED");
        // Unreachable and never seen: left out.
        assertEquals(0, c.federation("GET", "/_matrix/key/v2/query/unreachable.invalid").assertStatus(200)
                .json().getJsonArray("server_keys").size());
    }

    @Test
    void keysOfAServerThatWentAwayComeThroughTheNotary() {
        SigningKey dKey = d.signingKey();
        String dName = d.serverName();
        // C, the notary, caches D's keys while D is up; then D stops.
        single(c.federation("GET", "/_matrix/key/v2/query/" + enc(dName)).assertStatus(200).json(), dName);
        d.server().close();
        VerifyKey found = a.server().federation().keys().find(dName, dKey.keyId(), System.currentTimeMillis()).orElseThrow();
        assertArrayEquals(dKey.publicKey(), found.publicKey());
        // The notary still serves its last answer for the unreachable server.
        single(c.federation("GET", "/_matrix/key/v2/query/" + enc(dName) + "?minimum_valid_until_ts="
                + (System.currentTimeMillis() + 3L * 24 * 3600 * 1000)).assertStatus(200).json(), dName);
    }

    @Test
    void signedRequestsAreAcceptedAndProfilesAnswered() {
        var bob = b.register("bob");
        bob.put("/_matrix/client/v3/profile/" + bob.userId() + "/displayname", TestServer.json("displayname", "Bob B"))
                .assertStatus(200);
        FederationClient client = a.server().federation().client();
        JsonObject profile = client.get(b.serverName(), "/_matrix/federation/v1/query/profile?user_id=" + enc(bob.userId()));
        assertEquals("Bob B", profile.getString("displayname"));
        JsonObject field = client.get(b.serverName(), "/_matrix/federation/v1/query/profile?user_id=" + enc(bob.userId())
                + "&field=displayname");
        assertEquals(Set.of("displayname"), field.keySet());

        var unknown = assertThrows(FederationException.class, () -> client.get(b.serverName(),
                "/_matrix/federation/v1/query/profile?user_id=" + enc("@nobody:" + b.serverName())));
        assertEquals(404, unknown.status());
        assertEquals("M_NOT_FOUND", unknown.errcode());
        var remote = assertThrows(FederationException.class, () -> client.get(b.serverName(),
                "/_matrix/federation/v1/query/profile?user_id=" + enc("@x:elsewhere.example")));
        assertEquals(400, remote.status());
        var missing = assertThrows(FederationException.class, () -> client.get(b.serverName(),
                "/_matrix/federation/v1/query/profile"));
        assertEquals("M_MISSING_PARAM", missing.errcode());
    }

    @Test
    void directoryQueryNamesTheRoomAndItsServers() {
        var bob = b.register("dirbob");
        String room = bob.post("/_matrix/client/v3/createRoom", TestServer.json("preset", "public_chat",
                "room_alias_name", "fedroom")).assertStatus(200).json().getString("room_id");
        FederationClient client = a.server().federation().client();
        JsonObject answer = client.get(b.serverName(), "/_matrix/federation/v1/query/directory?room_alias="
                + enc("#fedroom:" + b.serverName()));
        assertEquals(room, answer.getString("room_id"));
        assertEquals(List.of(b.serverName()), strings(answer.getJsonArray("servers")));
        var unknown = assertThrows(FederationException.class, () -> client.get(b.serverName(),
                "/_matrix/federation/v1/query/directory?room_alias=" + enc("#nope:" + b.serverName())));
        assertEquals(404, unknown.status());
    }

    @Test
    void unsignedTamperedAndMisdirectedRequestsAreRefused() {
        SigningKey aKey = a.signingKey();
        String path = "/_matrix/federation/v1/query/profile?user_id=" + enc("@x:" + b.serverName());
        b.federation("GET", path).assertError(401, "M_UNAUTHORIZED");
        b.federation("GET", path, HttpRequest.BodyPublishers.noBody(), "Authorization", "Bearer nope")
                .assertError(401, "M_UNAUTHORIZED");
        // Signed for another path.
        String other = XMatrix.sign("GET", path + "x", a.serverName(), b.serverName(), null, aKey).headerValue();
        b.federation("GET", path, HttpRequest.BodyPublishers.noBody(), "Authorization", other).assertError(401, "M_UNAUTHORIZED");
        // Signed correctly, but for another destination.
        String elsewhere = XMatrix.sign("GET", path, a.serverName(), "elsewhere.example", null, aKey).headerValue();
        b.federation("GET", path, HttpRequest.BodyPublishers.noBody(), "Authorization", elsewhere)
                .assertError(401, "M_UNAUTHORIZED");
        // A's name, another key.
        String forged = XMatrix.sign("GET", path, a.serverName(), b.serverName(), null, SigningKey.generate("a_forged"))
                .headerValue();
        b.federation("GET", path, HttpRequest.BodyPublishers.noBody(), "Authorization", forged).assertError(401, "M_UNAUTHORIZED");
        // A's key ID with someone else's signature.
        XMatrix good = XMatrix.sign("GET", path, a.serverName(), b.serverName(), null, aKey);
        XMatrix wrongSig = new XMatrix(good.origin(), good.destination(), good.key(),
                XMatrix.sign("GET", path, a.serverName(), b.serverName(), null, SigningKey.generate(aKey.version())).sig());
        b.federation("GET", path, HttpRequest.BodyPublishers.noBody(), "Authorization", wrongSig.headerValue())
                .assertError(401, "M_UNAUTHORIZED");
        // The body is covered: signed for one body, sent with another.
        String missing = "/_matrix/federation/v1/get_missing_events/" + enc("!nope:" + b.serverName());
        JsonObject signedBody = TestServer.json("earliest_events", Json.arrayBuilder().build(), "latest_events",
                Json.arrayBuilder().build(), "limit", 1);
        String bodyAuth = XMatrix.sign("POST", missing, a.serverName(), b.serverName(), signedBody, aKey).headerValue();
        b.federation("POST", missing, body(TestServer.json("earliest_events", Json.arrayBuilder().build(),
                "latest_events", Json.arrayBuilder().build(), "limit", 2)), "Authorization", bodyAuth,
                "Content-Type", "application/json").assertError(401, "M_UNAUTHORIZED");
        // The same request untampered passes authentication (and finds no such room).
        b.federation("POST", missing, body(signedBody), "Authorization", bodyAuth, "Content-Type", "application/json")
                .assertError(404, "M_NOT_FOUND");
        // Correctly signed, with the spec's other header spellings (spaces, case, unquoted values).
        String spaced = "X-Matrix  Origin=" + a.serverName() + " , KEY=\"" + good.key() + "\",sig=\"" + good.sig()
                + "\", destination=\"" + b.serverName() + "\"";
        b.federation("GET", path, HttpRequest.BodyPublishers.noBody(), "Authorization", spaced).assertError(404, "M_NOT_FOUND");
        // No destination at all is accepted (older servers).
        String noDestination = XMatrix.sign("GET", path, a.serverName(), null, null, aKey).headerValue();
        b.federation("GET", path, HttpRequest.BodyPublishers.noBody(), "Authorization", noDestination)
                .assertError(404, "M_NOT_FOUND");
    }

    @Test
    void unknownEndpointsAndVersionNeedNoSignature() {
        b.federation("GET", "/_matrix/federation/v1/version").assertStatus(200);
        b.federation("GET", "/_matrix/federation/v1/no/such/thing").assertError(404, "M_UNRECOGNIZED");
        b.federation("PUT", "/_matrix/federation/v1/event/x").assertError(405, "M_UNRECOGNIZED");
    }

    @Test
    void eventsAndStateAreReadAcrossByAServerInTheRoom() {
        var bob = b.register("roombob");
        String roomId = bob.post("/_matrix/client/v3/createRoom", TestServer.json("preset", "public_chat"))
                .assertStatus(200).json().getString("room_id");
        String first = bob.put("/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/t1",
                TestServer.json("msgtype", "m.text", "body", "one")).assertStatus(200).json().getString("event_id");
        FederationClient client = a.server().federation().client();
        String event = "/_matrix/federation/v1/event/" + enc(first);
        // A has nobody in the room yet.
        assertEquals(403, assertThrows(FederationException.class, () -> client.get(b.serverName(), event)).status());

        // Stands in for make_join/send_join (not built yet): B's engine records a join of A's user.
        joinRemote(roomId, "@alice:" + a.serverName());
        String second = bob.put("/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/t2",
                TestServer.json("msgtype", "m.text", "body", "two")).assertStatus(200).json().getString("event_id");

        JsonObject got = client.get(b.serverName(), event);
        assertEquals(b.serverName(), got.getString("origin"));
        JsonObject pdu = got.getJsonArray("pdus").getJsonObject(0);
        assertEquals("one", pdu.getJsonObject("content").getString("body"));
        assertTrue(pdu.containsKey("hashes") && pdu.containsKey("signatures") && pdu.containsKey("auth_events"));
        assertFalse(pdu.containsKey("event_id"), "room version 12 PDUs carry no event_id");

        JsonObject state = client.get(b.serverName(), "/_matrix/federation/v1/state/" + enc(roomId) + "?event_id=" + enc(second));
        Set<String> types = state.getJsonArray("pdus").stream().map(v -> ((JsonObject) v).getString("type"))
                .collect(Collectors.toSet());
        assertTrue(types.containsAll(Set.of("m.room.create", "m.room.member", "m.room.power_levels", "m.room.join_rules")), types.toString());
        assertFalse(state.getJsonArray("auth_chain").isEmpty());
        JsonObject ids = client.get(b.serverName(), "/_matrix/federation/v1/state_ids/" + enc(roomId) + "?event_id=" + enc(second));
        assertEquals(state.getJsonArray("pdus").size(), ids.getJsonArray("pdu_ids").size());
        assertEquals(state.getJsonArray("auth_chain").size(), ids.getJsonArray("auth_chain_ids").size());

        JsonObject auth = client.get(b.serverName(), "/_matrix/federation/v1/event_auth/" + enc(roomId) + "/" + enc(second));
        assertFalse(auth.getJsonArray("auth_chain").isEmpty());

        JsonObject backfill = client.get(b.serverName(), "/_matrix/federation/v1/backfill/" + enc(roomId) + "?v="
                + enc(second) + "&limit=3");
        JsonArray pdus = backfill.getJsonArray("pdus");
        assertEquals(3, pdus.size());
        assertEquals("two", pdus.getJsonObject(0).getJsonObject("content").getString("body"));

        JsonObject missing = client.post(b.serverName(), "/_matrix/federation/v1/get_missing_events/" + enc(roomId),
                TestServer.json("earliest_events", Json.arrayBuilder().add(first).build(),
                        "latest_events", Json.arrayBuilder().add(second).build(), "limit", 10));
        List<JsonObject> between = missing.getJsonArray("events").getValuesAs(JsonObject.class);
        // Between "one" and "two": only the join of A's user.
        assertEquals(1, between.size(), missing.toString());
        assertEquals("m.room.member", between.getFirst().getString("type"));

        // Errors: unknown event, event of another room, missing parameters.
        assertEquals(404, assertThrows(FederationException.class, () -> client.get(b.serverName(),
                "/_matrix/federation/v1/event/" + enc("$nope"))).status());
        assertEquals("M_MISSING_PARAM", assertThrows(FederationException.class, () -> client.get(b.serverName(),
                "/_matrix/federation/v1/state/" + enc(roomId))).errcode());
        assertEquals("M_MISSING_PARAM", assertThrows(FederationException.class, () -> client.get(b.serverName(),
                "/_matrix/federation/v1/backfill/" + enc(roomId) + "?v=" + enc(second))).errcode());
        assertEquals("M_INVALID_PARAM", assertThrows(FederationException.class, () -> client.get(b.serverName(),
                "/_matrix/federation/v1/backfill/" + enc(roomId) + "?v=" + enc(second) + "&limit=many")).errcode());
        assertEquals("M_BAD_JSON", assertThrows(FederationException.class, () -> client.post(b.serverName(),
                "/_matrix/federation/v1/get_missing_events/" + enc(roomId), TestServer.json("latest_events", "x"))).errcode());
        String otherRoom = bob.post("/_matrix/client/v3/createRoom", TestServer.json("preset", "public_chat"))
                .assertStatus(200).json().getString("room_id");
        joinRemote(otherRoom, "@alice:" + a.serverName());
        assertEquals(404, assertThrows(FederationException.class, () -> client.get(b.serverName(),
                "/_matrix/federation/v1/state_ids/" + enc(otherRoom) + "?event_id=" + enc(second))).status());
        assertEquals(404, assertThrows(FederationException.class, () -> client.get(b.serverName(),
                "/_matrix/federation/v1/state_ids/" + enc("!unknown:" + b.serverName()) + "?event_id=" + enc(second))).status());

        // Once A's last member has left, A reads nothing more of the room.
        String alice = "@alice:" + a.serverName();
        b.server().rooms().engine().send(RoomId.parse(roomId), UserId.parse(alice),
                EventDraft.state("m.room.member", alice, TestServer.json("membership", "leave")), null);
        assertEquals(403, assertThrows(FederationException.class, () -> client.get(b.serverName(), event)).status());
    }

    @Test
    void eventsFromBeforeTheServerJoinedAJoinedOnlyRoomGoOutRedacted() {
        var bob = b.register("visbob");
        String roomId = bob.post("/_matrix/client/v3/createRoom", TestServer.json("preset", "public_chat"))
                .assertStatus(200).json().getString("room_id");
        bob.put("/_matrix/client/v3/rooms/" + enc(roomId) + "/state/m.room.history_visibility/",
                TestServer.json("history_visibility", "joined")).assertStatus(200);
        String before = bob.put("/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/t1",
                TestServer.json("msgtype", "m.text", "body", "before")).assertStatus(200).json().getString("event_id");
        joinRemote(roomId, "@alice:" + a.serverName());
        String after = bob.put("/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/t2",
                TestServer.json("msgtype", "m.text", "body", "after")).assertStatus(200).json().getString("event_id");
        FederationClient client = a.server().federation().client();
        JsonObject hidden = client.get(b.serverName(), "/_matrix/federation/v1/event/" + enc(before))
                .getJsonArray("pdus").getJsonObject(0);
        assertEquals(JsonValue.EMPTY_JSON_OBJECT, hidden.getJsonObject("content"));
        assertEquals("m.room.message", hidden.getString("type"));
        JsonObject shown = client.get(b.serverName(), "/_matrix/federation/v1/event/" + enc(after))
                .getJsonArray("pdus").getJsonObject(0);
        assertEquals("after", shown.getJsonObject("content").getString("body"));
    }

    @Test
    void serverAclDenialIs403() {
        var bob = b.register("aclbob");
        String roomId = bob.post("/_matrix/client/v3/createRoom", TestServer.json("preset", "public_chat"))
                .assertStatus(200).json().getString("room_id");
        joinRemote(roomId, "@alice:" + a.serverName());
        FederationClient client = a.server().federation().client();
        String stateIds = "/_matrix/federation/v1/state_ids/" + enc(roomId) + "?event_id=";
        String msg = bob.put("/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/t1",
                TestServer.json("msgtype", "m.text", "body", "hi")).assertStatus(200).json().getString("event_id");
        client.get(b.serverName(), stateIds + enc(msg));
        // The port is not part of what ACLs match: "localhost" denies A (localhost:<port>).
        bob.put("/_matrix/client/v3/rooms/" + enc(roomId) + "/state/m.room.server_acl/",
                TestServer.json("allow", Json.arrayBuilder().add("*").build(), "deny", Json.arrayBuilder().add("localhost").build()))
                .assertStatus(200);
        for (String path : List.of(stateIds + enc(msg), "/_matrix/federation/v1/event/" + enc(msg),
                "/_matrix/federation/v1/backfill/" + enc(roomId) + "?v=" + enc(msg) + "&limit=5")) {
            var denied = assertThrows(FederationException.class, () -> client.get(b.serverName(), path));
            assertEquals(403, denied.status(), path);
            assertEquals("M_FORBIDDEN", denied.errcode());
        }
    }

    @Test
    void pdusFetchedFromAnotherServerPassSignatureAndHashChecks() {
        var bob = b.register("pdubob");
        String roomId = bob.post("/_matrix/client/v3/createRoom", TestServer.json("preset", "public_chat"))
                .assertStatus(200).json().getString("room_id");
        joinRemote(roomId, "@alice:" + a.serverName());
        String id = bob.put("/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/t1",
                TestServer.json("msgtype", "m.text", "body", "signed")).assertStatus(200).json().getString("event_id");
        JsonObject pdu = a.server().federation().client().get(b.serverName(), "/_matrix/federation/v1/event/" + enc(id))
                .getJsonArray("pdus").getJsonObject(0);
        PduChecks checks = PduChecks.over(a.server().federation().keys());
        RoomVersion v12 = RoomVersion.V12;

        var usable = assertInstanceOf(PduChecks.Checked.Usable.class, checks.check(v12, pdu));
        assertEquals(id, usable.pdu().eventId());
        assertFalse(usable.redacted());

        JsonObject changed = Json.objectBuilder(pdu).add("content", TestServer.json("msgtype", "m.text", "body", "forged")).build();
        var redacted = assertInstanceOf(PduChecks.Checked.Usable.class, checks.check(v12, changed));
        assertTrue(redacted.redacted());
        assertEquals(id, redacted.pdu().eventId());
        assertEquals(JsonValue.EMPTY_JSON_OBJECT, redacted.pdu().json().getJsonObject("content"));

        JsonObject otherSender = Json.objectBuilder(pdu).add("sender", "@mallory:" + a.serverName()).build();
        assertInstanceOf(PduChecks.Checked.Dropped.class, checks.check(v12, otherSender));
        JsonObject noSignatures = Json.objectBuilder(pdu).add("signatures", JsonValue.EMPTY_JSON_OBJECT).build();
        assertInstanceOf(PduChecks.Checked.Dropped.class, checks.check(v12, noSignatures));
        JsonObject malformed = Json.objectBuilder(pdu).remove("depth").build();
        assertInstanceOf(PduChecks.Checked.Dropped.class, checks.check(v12, malformed));
    }

    @Test
    void outboundTlsTrustsAGivenCertificateAndTheDenyListGuardsLoopback() throws Exception {
        SigningKey aKey = a.signingKey();
        var resolver = new ServerNameResolver(name -> List.of(), host -> WellKnownSource.Answer.failed());
        String version = "/_matrix/federation/v1/version";
        java.nio.file.Path pem = a.dataDir().resolve("b-cert.pem");
        Files.writeString(pem, peerCertificatePem(b.server().federationPort()));

        // Certificates checked, B's self-signed certificate trusted through the extra file: its name matches.
        var trusting = new FederationClient(a.serverName(), aKey, resolver,
                FederationTls.create(true, java.util.Optional.of(pem)), AddressFilter.ALLOW_ALL, new Backoff(java.time.Clock.systemUTC()));
        assertEquals("Hearth", trusting.get(b.serverName(), version).getJsonObject("server").getString("name"));

        // The system trust store alone does not know it.
        var strict = new FederationClient(a.serverName(), aKey, resolver, FederationTls.create(true, java.util.Optional.empty()),
                AddressFilter.ALLOW_ALL, new Backoff(java.time.Clock.systemUTC()));
        var untrusted = assertThrows(FederationException.class, () -> strict.get(b.serverName(), version));
        assertTrue(untrusted.unreachable() && untrusted.getMessage().contains("TLS"), untrusted.getMessage());

        // Default deny list: localhost resolves to loopback, which federation may not reach; then backoff.
        var guarded = new FederationClient(a.serverName(), aKey, resolver, FederationTls.create(false, java.util.Optional.empty()),
                AddressFilter.DEFAULT, new Backoff(java.time.Clock.systemUTC()));
        var denied = assertThrows(FederationException.class, () -> guarded.get(b.serverName(), version));
        assertTrue(denied.unreachable() && denied.getMessage().contains("may not reach"), denied.getMessage());
        var backingOff = assertThrows(FederationException.class, () -> guarded.get(b.serverName(), version));
        assertTrue(backingOff.getMessage().contains("backing off"), backingOff.getMessage());
        assertThrows(FederationException.class, () -> guarded.get("127.0.0.1:" + b.server().federationPort(), version));
    }

    // A measurement (printed), with kept-alive connections; each request is signed by A and verified by B.
    @Test
    void signedRequestsPerSecond() {
        FederationClient client = a.server().federation().client();
        String path = "/_matrix/federation/v1/query/profile?user_id=" + enc("@nobody:" + b.serverName());
        for (int i = 0; i < 20; i++) {
            assertThrows(FederationException.class, () -> client.get(b.serverName(), path));
        }
        int n = 200;
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            assertEquals(404, assertThrows(FederationException.class, () -> client.get(b.serverName(), path)).status());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("federation: %d sequential signed requests A->B (404 answers) in %.2f s: %.0f/s%n", n, seconds, n / seconds);
    }

    private static String peerCertificatePem(int port) throws Exception {
        javax.net.ssl.SSLContext trustAll = javax.net.ssl.SSLContext.getInstance("TLS");
        trustAll.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        }}, null);
        try (var socket = (javax.net.ssl.SSLSocket) trustAll.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.startHandshake();
            byte[] der = socket.getSession().getPeerCertificates()[0].getEncoded();
            return "-----BEGIN CERTIFICATE-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                    + "\n-----END CERTIFICATE-----\n";
        }
    }

    private static void joinRemote(String roomId, String userId) {
        b.server().rooms().engine().send(RoomId.parse(roomId), UserId.parse(userId),
                EventDraft.state("m.room.member", userId, TestServer.json("membership", "join")), null);
    }

    private static JsonObject single(JsonObject answer, String server) {
        return answer.getJsonArray("server_keys").getValuesAs(JsonObject.class).stream()
                .filter(k -> server.equals(k.getString("server_name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no keys for " + server + " in " + answer));
    }


    private static List<String> strings(JsonArray array) {
        return array.getValuesAs(JsonString.class).stream().map(JsonString::getString).toList();
    }

    private static HttpRequest.BodyPublisher body(JsonObject json) {
        return HttpRequest.BodyPublishers.ofString(json.toString());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
