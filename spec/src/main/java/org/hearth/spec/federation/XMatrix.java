package org.hearth.spec.federation;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.hearth.spec.crypto.Signatures;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.json.Json;

/**
 * The {@code Authorization: X-Matrix ...} header of a federation request (spec: Server-Server API, "Request
 * Authentication"): who sent it, to whom, and the signature over the request's method, target and body.
 *
 * @param destination null when the sender left it out (older servers; recipients must accept that)
 */
public record XMatrix(String origin, String destination, String key, String sig) {

    /**
     * The header value, written as the spec asks senders to for older servers: lower-case names, no spaces
     * ({@code destination} left out when null).
     */
    public String headerValue() {
        return "X-Matrix origin=\"" + origin + "\"" + (destination == null ? "" : ",destination=\"" + destination + "\"")
                + ",key=\"" + key + "\",sig=\"" + sig + "\"";
    }

    /**
     * The JSON object whose signature the header carries: method, uri (path and query as sent), origin,
     * destination when given, and the parsed body as {@code content} when there is one.
     */
    public static JsonObject signedJson(String method, String uri, String origin, String destination,
                                        JsonValue content) {
        var b = Json.objectBuilder().add("method", method).add("uri", uri).add("origin", origin);
        if (destination != null) {
            b.add("destination", destination);
        }
        if (content != null) {
            b.add("content", content);
        }
        return b.build();
    }

    /** The header for a request from {@code origin} signed with {@code key}. */
    public static XMatrix sign(String method, String uri, String origin, String destination, JsonValue content,
                               SigningKey key) {
        JsonObject signed = Signatures.sign(signedJson(method, uri, origin, destination, content), origin, key);
        String sig = signed.getJsonObject("signatures").getJsonObject(origin).getString(key.keyId());
        return new XMatrix(origin, destination, key.keyId(), sig);
    }

    /** Whether {@link #sig} is {@code origin}'s valid signature of this request under {@code publicKey}. */
    public boolean verify(String method, String uri, JsonValue content, byte[] publicKey) {
        JsonObject json = Json.objectBuilder(signedJson(method, uri, origin, destination, content))
                .add("signatures", Json.objectBuilder().add(origin, Json.objectBuilder().add(key, sig)))
                .build();
        return Signatures.verify(json, origin, key, publicKey);
    }

    /**
     * Parses a header value: scheme {@code X-Matrix} (case-insensitive), then comma-separated {@code name=value}
     * parameters whose names are case-insensitive and whose values are tokens or quoted strings with backslash
     * escapes (RFC 9110 section 11.4); unquoted values may hold colons, as the spec asks recipients to allow.
     * Empty when the header is not X-Matrix or lacks {@code origin}, {@code key} or {@code sig}.
     */
    public static Optional<XMatrix> parse(String header) {
        if (header == null) {
            return Optional.empty();
        }
        int space = header.indexOf(' ');
        if (space < 0 || !header.substring(0, space).equalsIgnoreCase("X-Matrix")) {
            return Optional.empty();
        }
        Map<String, String> params = params(header.substring(space + 1));
        if (params == null) {
            return Optional.empty();
        }
        String origin = params.get("origin");
        String key = params.get("key");
        String sig = params.get("sig");
        if (origin == null || key == null || sig == null || origin.isEmpty() || key.isEmpty() || sig.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new XMatrix(origin, params.get("destination"), key, sig));
    }

    // name=value pairs; null when malformed.
    private static Map<String, String> params(String s) {
        Map<String, String> out = new HashMap<>();
        int i = 0;
        int n = s.length();
        while (true) {
            while (i < n && isWhitespaceOrComma(s.charAt(i))) {
                i++;
            }
            if (i >= n) {
                return out;
            }
            int eq = s.indexOf('=', i);
            if (eq < 0) {
                return null;
            }
            String name = s.substring(i, eq).strip().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                return null;
            }
            i = eq + 1;
            while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (i < n && s.charAt(i) == '"') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = s.charAt(i++);
                    if (c == '\\' && i < n) {
                        value.append(s.charAt(i++));
                    } else if (c == '"') {
                        closed = true;
                        break;
                    } else {
                        value.append(c);
                    }
                }
                if (!closed) {
                    return null;
                }
            } else {
                while (i < n && s.charAt(i) != ',' && s.charAt(i) != ' ' && s.charAt(i) != '\t') {
                    value.append(s.charAt(i++));
                }
            }
            // A repeated name: the last wins, as in Synapse's parameter dict.
            out.put(name, value.toString());
            while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
                i++;
            }
            if (i < n && s.charAt(i) != ',') {
                return null;
            }
        }
    }

    private static boolean isWhitespaceOrComma(char c) {
        return c == ' ' || c == '\t' || c == ',';
    }
}
