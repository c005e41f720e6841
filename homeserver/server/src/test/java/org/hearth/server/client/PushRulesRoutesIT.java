package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.hearth.server.TestServer;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The push rules endpoints over real HTTP, and m.push_rules in /sync. */
class PushRulesRoutesIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();
    private static final AtomicInteger N = new AtomicInteger();
    private static final String V3 = "/_matrix/client/v3";
    private static final String GLOBAL = V3 + "/pushrules/global/";

    private static TestServer.User newUser() {
        return server.register("p" + N.incrementAndGet() + "x" + (System.nanoTime() % 100000));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static List<String> ids(JsonObject ruleset, String kind) {
        return ruleset.getJsonArray(kind).stream().map(v -> v.asJsonObject().getString("rule_id")).toList();
    }

    private static JsonArray actions(Object... items) {
        var b = Json.arrayBuilder();
        for (Object o : items) {
            if (o instanceof String s) {
                b.add(s);
            } else {
                b.add((JsonObject) o);
            }
        }
        return b.build();
    }

    @Test
    void getReturnsTheServerDefaultsAtV3AndR0WithAndWithoutSlash() {
        var alice = newUser();
        JsonObject global = alice.get(V3 + "/pushrules/").assertStatus(200).json().getJsonObject("global");
        List<String> override = ids(global, "override");
        assertEquals(".m.rule.master", override.get(0));
        assertTrue(override.contains(".m.rule.suppress_notices"));
        List<String> underride = ids(global, "underride");
        assertTrue(underride.contains(".m.rule.message"), underride.toString());
        for (String kind : List.of("override", "content", "room", "sender", "underride")) {
            assertTrue(global.containsKey(kind), kind);
        }
        assertTrue(global.getJsonArray("override").getJsonObject(0).getBoolean("default"));
        assertFalse(global.getJsonArray("override").getJsonObject(0).getBoolean("enabled"));
        assertEquals(global, alice.get("/_matrix/client/r0/pushrules/").assertStatus(200).json().getJsonObject("global"));
        assertEquals(global, alice.get(V3 + "/pushrules").assertStatus(200).json().getJsonObject("global"));
        assertEquals(global, alice.get(GLOBAL).assertStatus(200).json());
        server.client("GET", V3 + "/pushrules/").assertError(401, "M_MISSING_TOKEN");
    }

    @Test
    void contentRulesArePutPlacedReadAndDeleted() {
        var alice = newUser();
        alice.put(GLOBAL + "content/nocake", json("pattern", "cake*lie", "actions", actions("notify")))
                .assertStatus(200);
        JsonObject rule = alice.get(GLOBAL + "content/nocake").assertStatus(200).json();
        assertEquals("nocake", rule.getString("rule_id"));
        assertEquals("cake*lie", rule.getString("pattern"));
        assertTrue(rule.getBoolean("enabled"));
        assertFalse(rule.getBoolean("default"));
        assertEquals(actions("notify"), rule.getJsonArray("actions"));

        alice.put(GLOBAL + "content/first?before=nocake", json("pattern", "a", "actions", actions())).assertStatus(200);
        alice.put(GLOBAL + "content/last?after=nocake", json("pattern", "b", "actions", actions())).assertStatus(200);
        JsonObject global = alice.get(V3 + "/pushrules/").json().getJsonObject("global");
        List<String> content = ids(global, "content");
        assertEquals(List.of("first", "nocake", "last"), content.subList(0, 3));

        alice.put(GLOBAL + "content/x?before=missing", json("pattern", "c", "actions", actions()))
                .assertError(400, "M_UNKNOWN");
        alice.put(GLOBAL + "content/x?before=.m.rule.contains_user_name", json("pattern", "c", "actions", actions()))
                .assertError(400, "M_UNKNOWN");

        alice.delete(GLOBAL + "content/nocake").assertStatus(200);
        alice.get(GLOBAL + "content/nocake").assertError(404, "M_NOT_FOUND");
        alice.delete(GLOBAL + "content/nocake").assertError(404, "M_NOT_FOUND");
    }

    @Test
    void overrideRulesGoFirstAmongUserRulesButAfterMaster() {
        var alice = newUser();
        var conditions = Json.arrayBuilder().add(json("kind", "event_match", "key", "type", "pattern", "m.room.x")).build();
        alice.put(GLOBAL + "override/mine", json("conditions", conditions, "actions", actions())).assertStatus(200);
        List<String> override = ids(alice.get(GLOBAL).json(), "override");
        assertEquals(List.of(".m.rule.master", "mine"), override.subList(0, 2));
        assertEquals(conditions, alice.get(GLOBAL + "override/mine").json().getJsonArray("conditions"));
        String room = "!abc:example.org";
        alice.put(GLOBAL + "room/" + enc(room), json("actions", actions())).assertStatus(200);
        assertEquals(room, alice.get(GLOBAL + "room/" + enc(room)).assertStatus(200).json().getString("rule_id"));
    }

    @Test
    void defaultRulesCanBeDisabledAndTheirActionsChangedButNotCreatedOrDeleted() {
        var alice = newUser();
        String rule = GLOBAL + "override/.m.rule.suppress_notices";
        assertEquals(json("enabled", true), alice.get(rule + "/enabled").assertStatus(200).json());
        alice.put(rule + "/enabled", json("enabled", false)).assertStatus(200);
        assertEquals(json("enabled", false), alice.get(rule + "/enabled").json());
        JsonObject inList = alice.get(GLOBAL).json().getJsonArray("override").stream().map(v -> v.asJsonObject())
                .filter(r -> r.getString("rule_id").equals(".m.rule.suppress_notices")).findFirst().orElseThrow();
        assertFalse(inList.getBoolean("enabled"));
        assertTrue(inList.getBoolean("default"));

        String message = GLOBAL + "underride/.m.rule.message";
        var loud = actions("notify", json("set_tweak", "sound", "value", "default"));
        alice.put(message + "/actions", json("actions", loud)).assertStatus(200);
        assertEquals(json("actions", loud), alice.get(message + "/actions").assertStatus(200).json());
        assertTrue(alice.get(message).json().getBoolean("default"));

        alice.put(GLOBAL + "override/.m.rule.mine", json("actions", actions())).assertError(400, "M_INVALID_PARAM");
        alice.delete(rule).assertError(404, "M_NOT_FOUND");
        // The master rule is enabled like any other and stays first.
        alice.put(GLOBAL + "override/.m.rule.master/enabled", json("enabled", true)).assertStatus(200);
        assertTrue(alice.get(V3 + "/pushrules/").json().getJsonObject("global").getJsonArray("override")
                .getJsonObject(0).getBoolean("enabled"));
    }

    @Test
    void unknownRulesKindsAndBadBodiesAreRefused() {
        var alice = newUser();
        alice.get(GLOBAL + "content/nothing").assertError(404, "M_NOT_FOUND");
        alice.get(GLOBAL + "content/nothing/enabled").assertError(404, "M_NOT_FOUND");
        alice.put(GLOBAL + "content/nothing/enabled", json("enabled", true)).assertError(404, "M_NOT_FOUND");
        alice.put(GLOBAL + "content/nothing/actions", json("actions", actions())).assertError(404, "M_NOT_FOUND");
        alice.get(GLOBAL + "sideways/x").assertError(404, "M_NOT_FOUND");
        alice.put(GLOBAL + "sideways/x", json("actions", actions())).assertError(404, "M_NOT_FOUND");
        alice.get(V3 + "/pushrules/device/content/x").assertStatus(404);

        String message = GLOBAL + "underride/.m.rule.message";
        alice.put(message + "/enabled", json()).assertError(400, "M_MISSING_PARAM");
        alice.put(message + "/enabled", json("enabled", "yes")).assertError(400, "M_BAD_JSON");
        alice.put(message + "/actions", json()).assertError(400, "M_MISSING_PARAM");
        alice.put(message + "/actions", json("actions", "notify")).assertError(400, "M_BAD_JSON");
        alice.put(GLOBAL + "content/nopattern", json("actions", actions())).assertStatus(400);
        alice.put(GLOBAL + "room/r", json()).assertStatus(400);
        alice.get(GLOBAL + "content/nopattern").assertError(404, "M_NOT_FOUND");
        // The account data API still refuses m.push_rules.
        alice.put(V3 + "/user/" + enc(alice.userId()) + "/account_data/m.push_rules", json())
                .assertError(405, "M_BAD_JSON");
    }

    @Test
    void syncShowsDefaultsInitiallyAndTheMergedRulesetAfterAChange() {
        var alice = newUser();
        var first = alice.get(V3 + "/sync").assertStatus(200).json();
        JsonObject initial = pushRules(first);
        assertEquals(alice.get(V3 + "/pushrules/").json(), initial);
        String since = first.getString("next_batch");

        alice.put(GLOBAL + "content/nocake", json("pattern", "cake", "actions", actions("notify"))).assertStatus(200);
        var next = alice.get(V3 + "/sync?since=" + since + "&timeout=5000").assertStatus(200).json();
        JsonObject rules = pushRules(next);
        assertEquals(List.of("nocake"), ids(rules.getJsonObject("global"), "content").subList(0, 1));
        assertEquals(".m.rule.master", ids(rules.getJsonObject("global"), "override").get(0));
        assertEquals(alice.get(V3 + "/pushrules/").json(), rules);
        // GET account_data shows the same merged ruleset.
        assertEquals(rules, alice.get(V3 + "/user/" + enc(alice.userId()) + "/account_data/m.push_rules")
                .assertStatus(200).json());
    }

    @Test
    void concurrentFirstEditsAreAllKept() throws Exception {
        var alice = newUser();
        List<Thread> writers = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String id = "r" + i;
            writers.add(Thread.ofVirtual().start(() -> alice.put(GLOBAL + "content/" + id,
                    json("pattern", id, "actions", actions())).assertStatus(200)));
        }
        for (Thread t : writers) {
            t.join();
        }
        List<String> content = ids(alice.get(GLOBAL).assertStatus(200).json(), "content");
        for (int i = 0; i < 8; i++) {
            assertTrue(content.contains("r" + i), content.toString());
        }
    }

    private static JsonObject pushRules(JsonObject sync) {
        return sync.getJsonObject("account_data").getJsonArray("events").stream().map(v -> v.asJsonObject())
                .filter(e -> e.getString("type").equals("m.push_rules")).findFirst().orElseThrow()
                .getJsonObject("content");
    }
}
