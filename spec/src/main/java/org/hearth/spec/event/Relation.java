package org.hearth.spec.event;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.util.Optional;

/**
 * An event's relationship to a parent (spec: Client-Server API, "Forming relationships between events"): the
 * cleartext {@code content.m.relates_to} with a string {@code rel_type} and {@code event_id}. A rich reply's
 * {@code m.in_reply_to} alone is not one; relationships that break the schema are ignored, not refused.
 *
 * @param key the annotation key of an {@code m.annotation}, else null
 */
public record Relation(String relType, String parentId, String key) {
    public static final String REPLACE = "m.replace";
    public static final String THREAD = "m.thread";
    public static final String ANNOTATION = "m.annotation";
    public static final String REFERENCE = "m.reference";
    // Rows of the relations index hold these in VARCHAR(255) columns; longer values are not valid identifiers.
    private static final int MAX_LENGTH = 255;

    /** The relationship {@code pdu} declares, if it declares a well-formed one. */
    public static Optional<Relation> of(Pdu pdu) {
        return of(pdu.content());
    }

    public static Optional<Relation> of(JsonObject content) {
        if (!(content.get("m.relates_to") instanceof JsonObject relates)
                || !(relates.get("rel_type") instanceof JsonString relType)
                || !(relates.get("event_id") instanceof JsonString parent)) {
            return Optional.empty();
        }
        String type = relType.getString();
        String parentId = parent.getString();
        if (type.isEmpty() || type.length() > MAX_LENGTH || !parentId.startsWith("$") || parentId.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        String key = null;
        if (type.equals(ANNOTATION)) {
            // An annotation without a string key is not a valid m.annotation (event_annotations.md).
            if (!(relates.get("key") instanceof JsonString k) || k.getString().length() > MAX_LENGTH) {
                return Optional.empty();
            }
            key = k.getString();
        }
        if (type.equals(REPLACE) && !(content.get("m.new_content") instanceof JsonObject)) {
            return Optional.empty();
        }
        return Optional.of(new Relation(type, parentId, key));
    }

    /**
     * Spec: "Validity of replacement events": same sender and type, neither a state event, and the original not
     * itself an edit ({@code edit} must already be a well-formed {@code m.replace} of {@code original}).
     */
    public static boolean validReplacement(Pdu original, Pdu edit) {
        if (!original.sender().equals(edit.sender()) || !original.type().equals(edit.type())
                || original.isState() || edit.isState()) {
            return false;
        }
        if (original.roomId().isPresent() && !original.roomId().equals(edit.roomId())) {
            return false;
        }
        return of(original).map(r -> !r.relType().equals(REPLACE)).orElse(true);
    }

    /**
     * Spec: "Threading": a thread cannot start from an event that is itself the child of a relationship, so the
     * root must not declare one.
     */
    public static boolean validThreadRoot(Pdu root) {
        return of(root).isEmpty();
    }
}
