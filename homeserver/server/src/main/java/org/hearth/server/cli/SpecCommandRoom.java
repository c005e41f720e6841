package org.hearth.server.cli;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.hearth.spec.auth.AuthResult;
import org.hearth.spec.auth.AuthRules;
import org.hearth.spec.event.EventIds;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.json.CanonicalJson;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;
import org.hearth.spec.stateres.StateResolver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Unmatched;

/** The {@code spec} subcommands on rooms: the authorization rules and state resolution. */
final class SpecCommandRoom {
    private SpecCommandRoom() {}

    @Command(name = "auth", mixinStandardHelpOptions = true,
            description = {"{\"event\": {...}, \"auth_events\": [...], \"create_event\": {...}}",
                    "-> {\"allowed\": true} or {\"allowed\": false, \"reason\": \"...\"}.",
                    "create_event is needed from room version 12 on, where it is not among the auth events."})
    static final class Auth implements Callable<Integer> {
        @ParentCommand SpecCommand spec;
        @Unmatched List<String> unmatched;
        @Option(names = "--room-version", arity = "0..1", description = "room version, 1 to 12") String roomVersion;

        @Override
        public Integer call() {
            return spec.run(unmatched, () -> {
                RoomVersion version = SpecCommand.roomVersion(roomVersion);
                JsonObject input = spec.readObject();
                Pdu event = EventIds.pdu(version, Json.requiredObject(input, "event"));
                Map<StateKey, Pdu> authState = new HashMap<>();
                JsonValue authEvents = input.get("auth_events");
                if (authEvents != null && !(authEvents instanceof JsonArray)) {
                    throw new SpecCommand.BadInput("auth_events must be an array");
                }
                for (JsonValue json : authEvents == null ? JsonValue.EMPTY_JSON_ARRAY : (JsonArray) authEvents) {
                    putState(authState, version, json, "auth_events");
                }
                if (input.containsKey("create_event")) {
                    putState(authState, version, input.get("create_event"), "create_event");
                }
                JsonObject result = switch (AuthRules.check(version, event, Map.copyOf(authState))) {
                    case AuthResult.Allowed() -> Json.objectBuilder().add("allowed", true).build();
                    case AuthResult.Rejected(String reason) ->
                            Json.objectBuilder().add("allowed", false).add("reason", reason).build();
                };
                spec.write(result);
                return SpecCommand.OK;
            });
        }

        private static void putState(Map<StateKey, Pdu> state, RoomVersion version, JsonValue json, String where) {
            if (!(json instanceof JsonObject object)) {
                throw new SpecCommand.BadInput(where + " must hold event objects");
            }
            Pdu pdu = EventIds.pdu(version, object);
            StateKey key = pdu.stateTuple().filter(k -> k.type() != null)
                    .orElseThrow(() -> new SpecCommand.BadInput(where + " holds a non-state event " + pdu.eventId()));
            state.put(key, pdu);
        }
    }

    @Command(name = "resolve", mixinStandardHelpOptions = true,
            description = {"{\"state_sets\": [[\"$id\", ...], ...], \"events\": [{... \"event_id\": ...}, ...]}",
                    "-> {\"state\": [{\"type\": T, \"state_key\": K, \"event_id\": E}, ...]} sorted by type, then state_key.",
                    "The events' own event_id fields are trusted; events must include the auth chains."})
    static final class Resolve implements Callable<Integer> {
        @ParentCommand SpecCommand spec;
        @Unmatched List<String> unmatched;
        @Option(names = "--room-version", arity = "0..1", description = "room version, 1 to 12") String roomVersion;

        @Override
        public Integer call() {
            return spec.run(unmatched, () -> {
                RoomVersion version = SpecCommand.roomVersion(roomVersion);
                JsonObject input = spec.readObject();
                Map<String, Pdu> events = new LinkedHashMap<>();
                for (JsonValue json : Json.requiredArray(input, "events")) {
                    if (!(json instanceof JsonObject object) || !(object.get("event_id") instanceof JsonString id)) {
                        throw new SpecCommand.BadInput("every entry of events must be an object with an event_id");
                    }
                    events.put(id.getString(), new Pdu(id.getString(), object));
                }
                List<Map<StateKey, String>> stateSets = new ArrayList<>();
                for (JsonValue set : Json.requiredArray(input, "state_sets")) {
                    stateSets.add(stateSet(set, events));
                }
                Map<StateKey, String> resolved = StateResolver.resolve(version, List.copyOf(stateSets), events::get);
                spec.write(Json.objectBuilder().add("state", render(resolved)).build());
                return SpecCommand.OK;
            });
        }

        private static Map<StateKey, String> stateSet(JsonValue set, Map<String, Pdu> events) {
            if (!(set instanceof JsonArray ids)) {
                throw new SpecCommand.BadInput("each state set must be an array of event IDs");
            }
            Map<StateKey, String> state = new HashMap<>();
            for (JsonValue value : ids) {
                if (!(value instanceof JsonString id)) {
                    throw new SpecCommand.BadInput("each state set must be an array of event IDs");
                }
                Pdu pdu = events.get(id.getString());
                if (pdu == null) {
                    throw new SpecCommand.BadInput("state set names " + id.getString() + ", which is not in events");
                }
                StateKey key = pdu.stateTuple().filter(k -> k.type() != null)
                        .orElseThrow(() -> new SpecCommand.BadInput(id.getString() + " is not a state event"));
                if (state.put(key, id.getString()) != null) {
                    throw new SpecCommand.BadInput("a state set holds two events for " + key);
                }
            }
            return Map.copyOf(state);
        }

        // Code point order, like canonical JSON, so the output does not depend on UTF-16 quirks.
        private static JsonArrayBuilder render(Map<StateKey, String> state) {
            List<Map.Entry<StateKey, String>> entries = new ArrayList<>(state.entrySet());
            entries.sort((a, b) -> {
                int c = CanonicalJson.CODE_POINT_ORDER.compare(a.getKey().type(), b.getKey().type());
                return c != 0 ? c : CanonicalJson.CODE_POINT_ORDER.compare(a.getKey().stateKey(), b.getKey().stateKey());
            });
            JsonArrayBuilder out = Json.arrayBuilder();
            for (var e : entries) {
                out.add(Json.objectBuilder().add("type", e.getKey().type())
                        .add("state_key", e.getKey().stateKey()).add("event_id", e.getValue()));
            }
            return out;
        }
    }
}
