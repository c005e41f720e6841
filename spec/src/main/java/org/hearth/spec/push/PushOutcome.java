package org.hearth.spec.push;

import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.List;

/**
 * What a rule's actions mean for the user (spec: "Actions"), for counting unread notifications and highlights
 * and for building the push gateway's tweaks.
 *
 * @param notifies  whether the actions include {@code notify}
 * @param highlight the {@code highlight} tweak: true when set with no value, false when not set at all
 * @param sound     the {@code sound} tweak when it is a string, else null
 */
public record PushOutcome(boolean notifies, boolean highlight, String sound) {

    /** No notification: what an event matching no rule, or a rule with empty actions, gets. */
    public static final PushOutcome NONE = new PushOutcome(false, false, null);

    /** Reads {@code actions}; when a tweak is set twice the later one wins. */
    public static PushOutcome of(List<PushAction> actions) {
        boolean notify = false;
        boolean highlight = false;
        String sound = null;
        for (PushAction action : actions) {
            switch (action) {
                case PushAction.Notify() -> notify = true;
                case PushAction.SetTweak(String name, JsonValue value) when name.equals("highlight") ->
                        // Spec: a highlight tweak with no value is true; a non-boolean value is not a highlight.
                        highlight = value == null || value.getValueType() == JsonValue.ValueType.TRUE;
                case PushAction.SetTweak(String name, JsonValue value) when name.equals("sound") ->
                        sound = value instanceof JsonString s ? s.getString() : null;
                case PushAction.SetTweak t -> { }
                case PushAction.Unknown u -> { }
            }
        }
        return new PushOutcome(notify, highlight, sound);
    }

    /** Whether the event counts toward {@code highlight_count}: a notification with the highlight flag set. */
    public boolean countsAsHighlight() {
        return notifies && highlight;
    }
}
