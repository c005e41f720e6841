package org.hearth.spec.push;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A dot-separated property path such as {@code content.m\.relates_to.rel_type} (spec: appendices,
 * "Dot-separated property paths"), split once into property names.
 *
 * <p>Equality is on the text as written, so a rule renders back exactly as it was stored.
 */
public final class PropertyPath {
    private final String text;
    private final List<String> names;

    private PropertyPath(String text, List<String> names) {
        this.text = text;
        this.names = names;
    }

    /** Splits {@code text} on unescaped dots; {@code \.} is a literal dot and {@code \\} a literal backslash. */
    public static PropertyPath parse(String text) {
        List<String> names = new ArrayList<>();
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length() && (text.charAt(i + 1) == '.' || text.charAt(i + 1) == '\\')) {
                name.append(text.charAt(++i));
            } else if (c == '.') {
                names.add(name.toString());
                name.setLength(0);
            } else {
                // Spec: "Other escape sequences are left as-is": a lone backslash stays a backslash.
                name.append(c);
            }
        }
        names.add(name.toString());
        return new PropertyPath(text, List.copyOf(names));
    }

    /** The path as written. */
    public String text() {
        return text;
    }

    /** The property names, unescaped, outermost first. */
    public List<String> names() {
        return names;
    }

    /** The value at this path in {@code event}; empty when a step is missing or not an object. */
    public Optional<JsonValue> find(JsonObject event) {
        JsonValue current = event;
        for (String name : names) {
            if (!(current instanceof JsonObject object) || !object.containsKey(name)) {
                return Optional.empty();
            }
            current = object.get(name);
        }
        return Optional.of(current);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PropertyPath p && p.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
