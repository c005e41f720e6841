package org.hearth.bench.load;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The standard Client-Server API of one homeserver on this machine, as the load generator uses it. */
final class Homeserver {
    static final String V3 = "/_matrix/client/v3";

    record Account(String userId, String accessToken) {}

    /** A non-2xx answer, with the Matrix error code when the body had one. */
    static final class ApiException extends IOException {
        final int status;
        final String errcode;

        ApiException(String what, int status, String errcode, String body) {
            super(what + ": HTTP " + status + " " + (body.length() > 300 ? body.substring(0, 300) : body));
            this.status = status;
            this.errcode = errcode;
        }
    }

    private final InetSocketAddress address;
    private final String baseUrl;
    private final List<InetAddress> localAddresses;
    private final AtomicInteger nextLocal = new AtomicInteger();
    private final ConcurrentLinkedQueue<HttpConnection> idle = new ConcurrentLinkedQueue<>();
    final AtomicLong rateLimited = new AtomicLong();

    Homeserver(String baseUrl, int localAddressCount) throws IOException {
        URI uri = URI.create(baseUrl);
        if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("the base URL must be http://<loopback host>:<port>: " + baseUrl);
        }
        if (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/")) {
            throw new IllegalArgumentException("the base URL must not have a path: " + baseUrl);
        }
        InetAddress host = InetAddress.getByName(uri.getHost());
        // The generator's traffic stays on this machine: nothing but the loopback range is a target.
        if (!host.isLoopbackAddress()) {
            throw new IllegalArgumentException("only loopback targets are allowed (127.0.0.0/8, ::1): " + host);
        }
        this.address = new InetSocketAddress(host, uri.getPort() < 0 ? 80 : uri.getPort());
        this.baseUrl = "http://" + uri.getHost() + ":" + address.getPort();
        if (localAddressCount > 1 && host.getAddress().length == 4) {
            InetAddress[] locals = new InetAddress[Math.min(localAddressCount, 254)];
            for (int i = 0; i < locals.length; i++) {
                locals[i] = InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (i + 1)});
            }
            this.localAddresses = List.of(locals);
        } else {
            this.localAddresses = List.of();
        }
    }

    String baseUrl() {
        return baseUrl;
    }

    int localAddressCount() {
        return Math.max(1, localAddresses.size());
    }

    /** A connection of its own (for a long-poll), from the next local address in turn. */
    HttpConnection newConnection() {
        InetAddress local = localAddresses.isEmpty() ? null
                : localAddresses.get(Math.floorMod(nextLocal.getAndIncrement(), localAddresses.size()));
        return new HttpConnection(address, local);
    }

    /** One request on a pooled keep-alive connection; 429 answers are waited out as retry_after_ms says. */
    JsonObject call(String what, String method, String path, String token, JsonObject body) throws IOException {
        HttpConnection c = idle.poll();
        if (c == null) {
            c = newConnection();
        }
        boolean ok = false;
        try {
            JsonObject result = call(c, what, method, path, token, body, 60_000);
            ok = true;
            return result;
        } finally {
            if (ok) {
                idle.add(c);
            } else {
                c.close();
            }
        }
    }

    JsonObject call(HttpConnection c, String what, String method, String path, String token, JsonObject body,
                    int timeoutMs) throws IOException {
        byte[] bytes = body == null ? null : body.toString().getBytes(StandardCharsets.UTF_8);
        for (int attempt = 0; ; attempt++) {
            HttpConnection.Response r = c.exchange(method, path, token, bytes, timeoutMs);
            JsonObject json = parse(r.body());
            if (r.status() / 100 == 2) {
                return json;
            }
            String errcode = json == null ? null : json.getString("errcode", null);
            if (r.status() == 429 && attempt < 50) {
                rateLimited.incrementAndGet();
                long wait = json == null ? 1000 : json.getJsonNumber("retry_after_ms") == null ? 1000
                        : json.getJsonNumber("retry_after_ms").longValue();
                sleep(Math.max(10, Math.min(wait, 30_000)));
                continue;
            }
            throw new ApiException(what, r.status(), errcode, r.text());
        }
    }

    static JsonObject parse(byte[] body) {
        if (body.length == 0 || body[0] != '{') {
            return null;
        }
        try (JsonReader reader = Json.createReader(new ByteArrayInputStream(body))) {
            return reader.readObject();
        } catch (RuntimeException e) {
            return null;
        }
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Registers through open m.login.dummy registration (the two UIA steps) or Synapse's shared-secret API. */
    Account register(Registration method, String sharedSecret, String localpart, String password) throws IOException {
        if (method == Registration.SHARED_SECRET) {
            String nonce = call("nonce", "GET", "/_synapse/admin/v1/register", null, null).getString("nonce");
            String mac;
            try {
                Mac hmac = Mac.getInstance("HmacSHA1");
                hmac.init(new SecretKeySpec(sharedSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
                hmac.update((nonce + "\0" + localpart + "\0" + password + "\0notadmin").getBytes(StandardCharsets.UTF_8));
                mac = HexFormat.of().formatHex(hmac.doFinal());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
            JsonObject r = call("register (shared secret)", "POST", "/_synapse/admin/v1/register", null,
                    Json.createObjectBuilder().add("nonce", nonce).add("username", localpart)
                            .add("password", password).add("admin", false).add("mac", mac).build());
            return new Account(r.getString("user_id"), r.getString("access_token"));
        }
        JsonObject first = Json.createObjectBuilder().add("username", localpart).add("password", password)
                .add("initial_device_display_name", "bench").build();
        String session = null;
        HttpConnection c = newConnection();
        try {
            HttpConnection.Response r = c.exchange("POST", V3 + "/register", null,
                    first.toString().getBytes(StandardCharsets.UTF_8), 60_000);
            if (r.status() == 429) {
                rateLimited.incrementAndGet();
                sleep(1000);
                return register(method, sharedSecret, localpart, password);
            }
            if (r.status() != 401) {
                throw new ApiException("register (first UIA step)", r.status(), null, r.text());
            }
            JsonObject uia = parse(r.body());
            if (uia != null && uia.containsKey("session")) {
                session = uia.getString("session");
            }
        } finally {
            c.close();
        }
        var auth = Json.createObjectBuilder().add("type", "m.login.dummy");
        if (session != null) {
            auth.add("session", session);
        }
        JsonObject r = call("register (m.login.dummy)", "POST", V3 + "/register", null,
                Json.createObjectBuilder(first).add("auth", auth).build());
        return new Account(r.getString("user_id"), r.getString("access_token"));
    }

    String createRoom(Account a, String name) throws IOException {
        return call("createRoom", "POST", V3 + "/createRoom", a.accessToken(),
                Json.createObjectBuilder().add("preset", "public_chat").add("name", name).build()).getString("room_id");
    }

    /** A public room created with extra initial state events (one createRoom request, however many). */
    String createRoom(Account a, String name, jakarta.json.JsonArray initialState) throws IOException {
        // Tens of thousands of state events in one request: far longer than the usual 60 s timeout.
        HttpConnection c = newConnection();
        try {
            return call(c, "createRoom", "POST", V3 + "/createRoom", a.accessToken(),
                    Json.createObjectBuilder().add("preset", "public_chat").add("name", name)
                            .add("initial_state", initialState).build(), 1_800_000).getString("room_id");
        } finally {
            c.close();
        }
    }

    void join(Account a, String roomId) throws IOException {
        call("join", "POST", V3 + "/join/" + encode(roomId), a.accessToken(), JsonValue.EMPTY_JSON_OBJECT);
    }

    /** PUT /rooms/{room}/state/{type}/{key}: one state event. */
    String putState(Account a, String roomId, String type, String stateKey, JsonObject content) throws IOException {
        return call("state", "PUT", V3 + "/rooms/" + encode(roomId) + "/state/" + encode(type) + "/" + encode(stateKey),
                a.accessToken(), content).getString("event_id");
    }

    static String sendPath(String roomId, String txnId) {
        return V3 + "/rooms/" + encode(roomId) + "/send/m.room.message/" + encode(txnId);
    }

    static JsonObject message(String body) {
        return Json.createObjectBuilder().add("msgtype", "m.text").add("body", body).build();
    }

    String send(Account a, String roomId, String txnId, String body) throws IOException {
        return call("send", "PUT", sendPath(roomId, txnId), a.accessToken(), message(body)).getString("event_id");
    }

    static String syncPath(String since, long timeoutMs, String filter) {
        StringBuilder p = new StringBuilder(V3).append("/sync?timeout=").append(timeoutMs);
        if (since != null) {
            p.append("&since=").append(encode(since));
        }
        if (filter != null) {
            p.append("&filter=").append(encode(filter));
        }
        return p.toString();
    }

    /** Server name and version: the federation version endpoint when this listener has it, else /versions. */
    String describe() {
        for (String path : List.of("/_matrix/federation/v1/version", "/_synapse/admin/v1/server_version")) {
            try {
                JsonObject v = call("version", "GET", path, null, null);
                if (v.containsKey("server")) {
                    JsonObject s = v.getJsonObject("server");
                    return s.getString("name", "?") + " " + s.getString("version", "?");
                }
                if (v.containsKey("server_version")) {
                    return "Synapse " + v.getString("server_version");
                }
            } catch (IOException | RuntimeException ignored) {
                // not served on the client listener
            }
        }
        try {
            var versions = call("versions", "GET", "/_matrix/client/versions", null, null).getJsonArray("versions");
            return "(name not served on the client listener) spec versions up to "
                    + versions.getString(versions.size() - 1);
        } catch (IOException | RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    enum Registration { DUMMY, SHARED_SECRET }
}
