package org.hearth.server.plugins;

import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.hearth.plugin.api.PluginRequest;
import org.hearth.plugin.api.PluginResponse;
import org.hearth.plugin.api.PluginRoutes;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/**
 * Plugins' own routes, {@code /_hearth/plugins/{pluginId}/...}, each answered by the plugin that declared it
 * within the call budget; and the admin endpoints {@code GET /_hearth/admin/v1/plugins},
 * {@code POST /_hearth/admin/v1/plugins/{pluginId}/unload} and {@code .../reload}. Mounted at {@code /_hearth}.
 */
public final class PluginHttpRoutes implements HttpService {
    private static final String PREFIX = "/_hearth/plugins/";

    private final Authenticator auth;
    private final JsonBody body;
    private final PluginHost host;

    public PluginHttpRoutes(Authenticator auth, JsonBody body, PluginHost host) {
        this.auth = auth;
        this.body = body;
        this.host = host;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/admin/v1/plugins", this::list)
                .post("/admin/v1/plugins/load", this::load)
                .post("/admin/v1/plugins/{pluginId}/unload", (req, res) -> change(req, res, false))
                .post("/admin/v1/plugins/{pluginId}/reload", (req, res) -> change(req, res, true))
                .any("/admin/v1/plugins/{pluginId}/{action}", (req, res) -> {
                    throw new MatrixException(ErrorCode.UNRECOGNIZED, 405, "Unsupported method");
                })
                .any("/admin/v1/plugins", (req, res) -> {
                    throw new MatrixException(ErrorCode.UNRECOGNIZED, 405, "Unsupported method");
                })
                .any("/plugins/*", this::dispatch);
    }

    private void requireAdmin(ServerRequest req) {
        if (!auth.require(req).admin()) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "You are not a server admin");
        }
    }

    private void list(ServerRequest req, ServerResponse res) {
        requireAdmin(req);
        var out = Json.arrayBuilder();
        for (PluginHost.Hosted p : host.plugins()) {
            out.add(describe(p));
        }
        Reply.json(res, 200, Json.objectBuilder().add("plugins", out).build());
    }

    private void change(ServerRequest req, ServerResponse res, boolean reload) {
        requireAdmin(req);
        String id = req.path().pathParameters().get("pluginId");
        PluginHost.Hosted changed = reload ? host.reload(id) : host.unload(id);
        Reply.json(res, 200, describe(changed));
    }

    /** {@code {"file": "x.jar"}}: a jar copied into the plugin directory while the server runs. */
    private void load(ServerRequest req, ServerResponse res) {
        requireAdmin(req);
        JsonObject request = body.read(req);
        if (!(request.get("file") instanceof jakarta.json.JsonString file)) {
            throw new MatrixException(ErrorCode.BAD_JSON, "file (the jar's name in the plugin directory) is required");
        }
        Reply.json(res, 200, describe(host.load(file.getString())));
    }

    /** The plugins' client-API extensions, {@code /_matrix/client/unstable/{namespace}/...}. */
    public HttpService clientExtensions() {
        return rules -> rules.any("/*", (req, res) -> {
            String raw = req.path().absolute().rawPath();
            String prefix = "/_matrix/client/unstable/";
            if (!raw.startsWith(prefix)) {
                throw unrecognized();
            }
            String rest = raw.substring(prefix.length());
            int slash = rest.indexOf('/');
            String namespace = slash < 0 ? rest : rest.substring(0, slash);
            PluginHost.Hosted plugin = host.clientExtension(namespace).orElseThrow(PluginHttpRoutes::unrecognized);
            Requester who = auth.require(req);
            answer(req, res, who, plugin, plugin.clientRoutes.getOrDefault(namespace, java.util.List.of()),
                    slash < 0 ? "/" : rest.substring(slash));
        });
    }

    private static JsonObject describe(PluginHost.Hosted p) {
        var entry = Json.objectBuilder().add("id", p.id()).add("version", p.version() == null ? "" : p.version())
                .add("state", p.state().name().toLowerCase());
        p.reason().ifPresent(r -> entry.add("reason", r));
        if (!p.permissions().isEmpty()) {
            entry.add("permissions", jakarta.json.Json.createArrayBuilder(p.permissions()));
        }
        return entry.build();
    }

    private void dispatch(ServerRequest req, ServerResponse res) {
        String raw = req.path().absolute().rawPath();
        if (!raw.startsWith(PREFIX)) {
            throw unrecognized();
        }
        String rest = raw.substring(PREFIX.length());
        int slash = rest.indexOf('/');
        String pluginId = slash < 0 ? rest : rest.substring(0, slash);
        String subPath = slash < 0 ? "/" : rest.substring(slash);
        if (subPath.startsWith("/web/") && req.prologue().method() == Method.GET) {
            PluginHost.Hosted plugin = host.plugin(pluginId).filter(p -> p.state() == PluginHost.State.STARTED)
                    .orElseThrow(PluginHttpRoutes::unrecognized);
            page(req, res, plugin, subPath.substring("/web/".length()));
            return;
        }
        if (subPath.startsWith("/public/")) {
            // The caller proves who it is to the plugin (an OpenID token), not with an access token.
            PluginHost.Hosted plugin = host.plugin(pluginId).filter(p -> p.state() == PluginHost.State.STARTED)
                    .orElseThrow(PluginHttpRoutes::unrecognized);
            answer(req, res, null, plugin, plugin.publicRoutes, subPath.substring("/public".length()));
            return;
        }
        Requester who = auth.require(req);
        PluginHost.Hosted plugin = host.plugin(pluginId).filter(p -> p.state() == PluginHost.State.STARTED)
                .orElseThrow(PluginHttpRoutes::unrecognized);
        answer(req, res, who, plugin, plugin.routes, subPath);
    }

    /** A plugin's unauthenticated page: bytes with the plugin's content type, never sniffed as something else. */
    private void page(ServerRequest req, ServerResponse res, PluginHost.Hosted plugin, String path) {
        String decoded = URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
        Map<String, String> query = new HashMap<>();
        for (String name : req.query().names()) {
            query.put(name, req.query().get(name));
        }
        for (org.hearth.plugin.api.WebPages pages : plugin.webPages) {
            Optional<org.hearth.plugin.api.WebPages.WebPage> page = host.call(plugin, () -> pages.page(decoded, Map.copyOf(query)))
                    .flatMap(p -> p);
            if (page.isPresent()) {
                res.status(page.get().status());
                res.header("Content-Type", page.get().contentType());
                res.header("X-Content-Type-Options", "nosniff");
                res.header("Cache-Control", "no-store");
                res.send(page.get().body());
                return;
            }
        }
        throw new MatrixException(ErrorCode.NOT_FOUND, "No such page");
    }

    private void answer(ServerRequest req, ServerResponse res, Requester who, PluginHost.Hosted plugin,
                        java.util.List<PluginRoutes.Route> routes, String subPath) {
        String pluginId = plugin.id();
        Method method = req.prologue().method();
        boolean pathMatched = false;
        for (PluginRoutes.Route route : routes) {
            Optional<Map<String, String>> params = match(route.path(), subPath);
            if (params.isEmpty()) {
                continue;
            }
            pathMatched = true;
            if (!route.method().name().equals(method.text())) {
                continue;
            }
            Optional<JsonObject> json = req.content().hasEntity() ? Optional.of(body.read(req)) : Optional.empty();
            Map<String, String> query = new HashMap<>();
            for (String name : req.query().names()) {
                query.put(name, req.query().get(name));
            }
            var request = new PluginRequest(who == null ? "" : who.userId().value(), Map.copyOf(params.get()), Map.copyOf(query), json);
            PluginResponse answer = host.call(plugin, () -> route.handler().handle(request)).orElseThrow(() ->
                    new MatrixException(ErrorCode.UNKNOWN, 500, "The plugin " + pluginId + " failed to answer"));
            Reply.json(res, answer.status(), answer.body());
            return;
        }
        if (pathMatched) {
            throw new MatrixException(ErrorCode.UNRECOGNIZED, 405, "Unsupported method");
        }
        throw unrecognized();
    }

    private static MatrixException unrecognized() {
        return new MatrixException(ErrorCode.UNRECOGNIZED, "Unrecognized request");
    }

    /** The route's {@code {name}} parameters when {@code path} fits its pattern, segment by segment. */
    static Optional<Map<String, String>> match(String pattern, String path) {
        String[] want = trim(pattern).split("/", -1);
        String[] got = trim(path).split("/", -1);
        if (want.length != got.length) {
            return Optional.empty();
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < want.length; i++) {
            String segment = URLDecoder.decode(got[i].replace("+", "%2B"), StandardCharsets.UTF_8);
            if (want[i].startsWith("{") && want[i].endsWith("}")) {
                if (segment.isEmpty()) {
                    return Optional.empty();
                }
                params.put(want[i].substring(1, want[i].length() - 1), segment);
            } else if (!want[i].equals(segment)) {
                return Optional.empty();
            }
        }
        return Optional.of(params);
    }

    private static String trim(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }
}
