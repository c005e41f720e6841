package org.hearth.spec.push;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/**
 * What a matching rule asks for (spec: "Push Rules", "Actions"). Actions without parameters are strings in
 * JSON, the others objects named by their first key.
 *
 * <p>There is no record for the historical {@code dont_notify} and {@code coalesce}: the spec ("Historical
 * Actions") says homeservers MUST ignore them, for instance by stripping them, so {@link #parseAll} drops them
 * and {@code ["dont_notify"]} reads as an empty list.
 */
public sealed interface PushAction {

    /** {@code notify}: the event generates a notification. */
    record Notify() implements PushAction {}

    /**
     * {@code set_tweak}: sets {@code tweaks[name]} in the notification sent to the push gateway.
     *
     * @param value the {@code value} key, or Java null when the action has none (not JSON null, which is
     *              kept as {@link JsonValue#NULL})
     */
    record SetTweak(String name, JsonValue value) implements PushAction {
        /** The tweak with this name and value. */
        public static SetTweak of(String name, JsonValue value) {
            return new SetTweak(name, value);
        }
    }

    /**
     * An action this server does not know, kept so that it renders back; it changes nothing here, and tweaks
     * beyond these are the push gateway's business (spec: "Tweaks are passed transparently").
     */
    record Unknown(JsonValue json) implements PushAction {}

    /** The {@code notify} action. */
    PushAction NOTIFY = new Notify();

    /** {@code {"set_tweak": "sound", "value": sound}}. */
    static PushAction sound(String sound) {
        return new SetTweak("sound", Json.string(sound));
    }

    /** {@code {"set_tweak": "highlight"}}, which the spec reads as highlight true. */
    static PushAction highlight() {
        return new SetTweak("highlight", null);
    }

    /** Reads an {@code actions} array, dropping {@code dont_notify} and {@code coalesce}; {@code M_BAD_JSON} on bad types. */
    public static List<PushAction> parseAll(JsonArray actions) {
        List<PushAction> out = new ArrayList<>();
        for (JsonValue action : actions) {
            PushAction parsed = parse(action);
            if (parsed != null) {
                out.add(parsed);
            }
        }
        return List.copyOf(out);
    }

    private static PushAction parse(JsonValue action) {
        if (action instanceof JsonString s) {
            return switch (s.getString()) {
                case "notify" -> NOTIFY;
                case "dont_notify", "coalesce" -> null; // spec: "Historical Actions"
                default -> new Unknown(action);
            };
        }
        if (action instanceof JsonObject o) {
            if (!o.containsKey("set_tweak")) {
                return new Unknown(action);
            }
            if (!(o.get("set_tweak") instanceof JsonString name)) {
                throw new MatrixException(ErrorCode.BAD_JSON, "'set_tweak' must be a string");
            }
            return new SetTweak(name.getString(), o.get("value"));
        }
        throw new MatrixException(ErrorCode.BAD_JSON, "a push action must be a string or an object");
    }

    /** This action in its JSON form. */
    default JsonValue toJson() {
        return switch (this) {
            case Notify() -> Json.string("notify");
            case SetTweak(String name, JsonValue value) -> value == null
                    ? Json.objectBuilder().add("set_tweak", name).build()
                    : Json.objectBuilder().add("set_tweak", name).add("value", value).build();
            case Unknown(JsonValue json) -> json;
        };
    }

    /** {@code actions} as a JSON array. */
    static JsonArray toJson(List<PushAction> actions) {
        JsonArrayBuilder array = Json.arrayBuilder();
        actions.forEach(a -> array.add(a.toJson()));
        return array.build();
    }
}
