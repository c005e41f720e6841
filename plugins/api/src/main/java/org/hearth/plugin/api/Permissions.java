package org.hearth.plugin.api;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a plugin declares it may do (since 0.3.0), in its manifest entry {@code Plugin-Permissions}: a comma-separated
 * list, today of one kind, {@code act-as:<pattern>}, where the pattern is a localpart glob ({@code *} any run of
 * characters): {@code act-as:*} any local user, {@code act-as:notes-*} only users whose localpart starts with
 * {@code notes-}. The facade refuses acting ({@code sendEvent}, {@code sendState}, {@code invite}, {@code join},
 * {@code redact}, {@code createRoom}, {@code uploadMedia}, {@code setAccountData}) as a user no pattern matches with
 * {@code M_FORBIDDEN}, naming the permission it would need. A plugin's own bots ({@link Homeserver#botUser}) are
 * always allowed. A manifest without the entry keeps the 0.2.0 behaviour (any local user), and the server logs that
 * the plugin declares nothing.
 */
public record Permissions(List<String> actAs) {
    public static final String MANIFEST_ENTRY = "Plugin-Permissions";
    private static final Pattern GLOB = Pattern.compile("[a-z0-9._=/+*-]+");

    public Permissions {
        actAs = List.copyOf(actAs);
    }

    /** Parses a manifest value; {@link IllegalArgumentException} names the first malformed entry. */
    public static Permissions parse(String declared) {
        List<String> actAs = new ArrayList<>();
        for (String raw : declared.split(",")) {
            String entry = raw.strip();
            if (entry.isEmpty()) {
                continue;
            }
            if (!entry.startsWith("act-as:") || !GLOB.matcher(entry.substring("act-as:".length())).matches()) {
                throw new IllegalArgumentException("unknown permission \"" + entry
                        + "\" (expected act-as:<localpart glob>, e.g. act-as:* or act-as:bots-*)");
            }
            actAs.add(entry.substring("act-as:".length()));
        }
        return new Permissions(actAs);
    }

    /** Whether some {@code act-as} pattern matches the localpart. */
    public boolean mayActAs(String localpart) {
        for (String glob : actAs) {
            String regex = java.util.Arrays.stream(glob.split("\\*", -1)).map(Pattern::quote)
                    .collect(java.util.stream.Collectors.joining(".*"));
            if (Pattern.matches(regex, localpart)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return String.join(", ", actAs.stream().map(p -> "act-as:" + p).toList());
    }
}
