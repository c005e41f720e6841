package org.hearth.server.client;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.hearth.core.media.ContentDisposition;
import org.hearth.core.media.ContentRepository;
import org.hearth.core.media.MediaQuery;
import org.hearth.core.media.UrlPreviews;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/**
 * Spec "Content repository". {@link #authenticated} serves {@code /_matrix/client/v1/media} (download, thumbnail,
 * config; a token is required). {@link #legacy} serves {@code /_matrix/media/{r0,v3,v1}}: uploads (which are not
 * deprecated), and the deprecated unauthenticated download, thumbnail and config, which do not serve media
 * uploaded while {@code media.enable_authenticated_media} is on (404, as Synapse).
 */
public final class MediaRoutes {
    /** The spec's recommended policy plus {@code media-src 'self'}, exactly as Synapse sends it. */
    static final String CONTENT_SECURITY_POLICY = "sandbox; default-src 'none'; script-src 'none'; "
            + "plugin-types application/pdf; style-src 'unsafe-inline'; media-src 'self'; object-src 'self';";

    private final Authenticator auth;
    private final ContentRepository media;
    private final Optional<UrlPreviews> previews;

    /** {@code previews} empty: URL previews are off and their endpoints absent (404 M_UNRECOGNIZED, as Synapse). */
    public MediaRoutes(Authenticator auth, ContentRepository media, Optional<UrlPreviews> previews) {
        this.auth = auth;
        this.media = media;
        this.previews = previews;
    }

    /** For {@code /_matrix/client/v1/media}. */
    public HttpService authenticated() {
        return rules -> {
            downloadRules(rules, "", true);
            rules.get("/config", this::config).any("/config", MatrixErrors::wrongMethod);
            if (previews.isPresent()) {
                rules.get("/preview_url", this::previewUrl).any("/preview_url", MatrixErrors::wrongMethod);
            }
        };
    }

    /** For {@code /_matrix/media}: uploads at r0, v1 and v3 as Synapse; create at v1 only. */
    public HttpService legacy() {
        return rules -> {
            for (String version : List.of("/r0", "/v1", "/v3")) {
                rules.post(version + "/upload", this::upload).any(version + "/upload", MatrixErrors::wrongMethod)
                        .put(version + "/upload/{serverName}/{mediaId}", this::uploadTo)
                        .any(version + "/upload/{serverName}/{mediaId}", MatrixErrors::wrongMethod);
                downloadRules(rules, version, false);
                rules.get(version + "/config", this::config).any(version + "/config", MatrixErrors::wrongMethod);
                if (previews.isPresent()) {
                    rules.get(version + "/preview_url", this::previewUrl).any(version + "/preview_url", MatrixErrors::wrongMethod);
                }
            }
            rules.post("/v1/create", this::create).any("/v1/create", MatrixErrors::wrongMethod);
        };
    }

    private void downloadRules(HttpRules rules, String prefix, boolean authenticated) {
        rules.get(prefix + "/download/{serverName}/{mediaId}", (req, res) -> download(req, res, authenticated, false))
                .any(prefix + "/download/{serverName}/{mediaId}", MatrixErrors::wrongMethod)
                .get(prefix + "/download/{serverName}/{mediaId}/{fileName}", (req, res) -> download(req, res, authenticated, true))
                .any(prefix + "/download/{serverName}/{mediaId}/{fileName}", MatrixErrors::wrongMethod)
                .get(prefix + "/thumbnail/{serverName}/{mediaId}", (req, res) -> thumbnail(req, res, authenticated))
                .any(prefix + "/thumbnail/{serverName}/{mediaId}", MatrixErrors::wrongMethod);
    }

    private void upload(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        checkDeclaredLength(req);
        String uri = media.upload(who.userId(), contentType(req), ClientPaths.query(req, "filename"), body(req));
        Reply.json(res, 200, Json.objectBuilder().add("content_uri", uri).build());
    }

    private void create(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        ContentRepository.Created created = media.create(who.userId());
        Reply.json(res, 200, Json.objectBuilder().add("content_uri", created.contentUri())
                .add("unused_expires_at", created.unusedExpiresAt()).build());
    }

    private void uploadTo(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        checkDeclaredLength(req);
        media.uploadTo(who.userId(), ClientPaths.param(req, "serverName"), ClientPaths.param(req, "mediaId"),
                contentType(req), ClientPaths.query(req, "filename"), body(req));
        Reply.json(res, 200, Json.objectBuilder().build());
    }

    private void download(ServerRequest req, ServerResponse res, boolean authenticated, boolean fileNameInPath) {
        if (authenticated) {
            auth.require(req);
        }
        booleanParam(req, "allow_redirect", false); // validated; this server never redirects
        String server = ClientPaths.param(req, "serverName");
        checkAllowRemote(req, authenticated, server);
        ContentRepository.Content content = media.download(server, ClientPaths.param(req, "mediaId"),
                timeout(req), authenticated);
        String fileName = fileNameInPath ? ClientPaths.param(req, "fileName") : content.fileName();
        String type = content.contentType();
        send(res, content, type, ContentDisposition.forType(type, fileName), authenticated);
    }

    private void thumbnail(ServerRequest req, ServerResponse res, boolean authenticated) {
        if (authenticated) {
            auth.require(req);
        }
        int width = dimension(req, "width");
        int height = dimension(req, "height");
        String method = ClientPaths.query(req, "method");
        method = method == null ? "scale" : method;
        if (!method.equals("crop") && !method.equals("scale")) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "method must be crop or scale");
        }
        boolean animated = booleanParam(req, "animated", false);
        booleanParam(req, "allow_redirect", false);
        String server = ClientPaths.param(req, "serverName");
        checkAllowRemote(req, authenticated, server);
        ContentRepository.Content content = media.thumbnail(server, ClientPaths.param(req, "mediaId"),
                width, height, method, animated, timeout(req), authenticated);
        String name = "thumbnail." + switch (content.contentType()) {
            case "image/jpeg" -> "jpg";
            case "image/gif" -> "gif";
            case "image/webp" -> "webp";
            default -> "png";
        };
        // Thumbnails are always images of the inline-safe types.
        send(res, content, content.contentType(), contentDisposition("inline", name), authenticated);
    }

    private void previewUrl(ServerRequest req, ServerResponse res) {
        // A token on both paths, as Synapse: previews make this server fetch URLs for the requester.
        Requester who = auth.require(req);
        String url = ClientPaths.query(req, "url");
        if (url == null || url.isBlank()) {
            throw new MatrixException(ErrorCode.MISSING_PARAM, "Missing query parameter url");
        }
        String ts = ClientPaths.query(req, "ts");
        if (ts != null && !ts.matches("-?[0-9]{1,18}")) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "ts must be an integer");
        }
        Reply.json(res, 200, previews.orElseThrow().preview(who.userId(), url));
    }

    /** Both paths need a token (the deprecated one too: spec security, and Synapse). */
    private void config(ServerRequest req, ServerResponse res) {
        auth.require(req);
        Reply.json(res, 200, Json.objectBuilder().add("m.upload.size", media.settings().maxUploadBytes()).build());
    }

    private static void send(ServerResponse res, ContentRepository.Content content, String type, String disposition,
                             boolean authenticated) {
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, type);
        res.header(HeaderNames.CONTENT_DISPOSITION, disposition);
        res.header(HeaderNames.create("Content-Security-Policy"), CONTENT_SECURITY_POLICY);
        res.header(HeaderNames.create("Cross-Origin-Resource-Policy"), "cross-origin");
        res.header(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff");
        // Content behind an mxc URI never changes; authenticated answers must not sit in shared caches.
        res.header(HeaderNames.CACHE_CONTROL, authenticated ? "private, max-age=86400" : "public, max-age=86400, s-maxage=86400");
        res.header(HeaderNames.CONTENT_LENGTH, Long.toString(content.length()));
        try (InputStream in = content.body(); OutputStream out = res.outputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String contentDisposition(String disposition, String fileName) {
        return ContentDisposition.of(disposition, fileName);
    }

    private void checkAllowRemote(ServerRequest req, boolean authenticated, String server) {
        if (!authenticated && !booleanParam(req, "allow_remote", true) && !server.equals(media.serverName())) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "Not found (allow_remote is false)");
        }
    }

    private void checkDeclaredLength(ServerRequest req) {
        var length = req.headers().contentLength();
        if (length.isPresent() && length.getAsLong() > media.settings().maxUploadBytes()) {
            throw new MatrixException(ErrorCode.TOO_LARGE, "Upload is over the limit of "
                    + media.settings().maxUploadBytes() + " bytes");
        }
    }

    private static String contentType(ServerRequest req) {
        return req.headers().first(HeaderNames.CONTENT_TYPE).orElse(null);
    }

    private static InputStream body(ServerRequest req) {
        return req.content().hasEntity() ? req.content().inputStream() : InputStream.nullInputStream();
    }

    private static Duration timeout(ServerRequest req) {
        return MediaQuery.timeout(ClientPaths.query(req, "timeout_ms"));
    }

    private static int dimension(ServerRequest req, String name) {
        return MediaQuery.dimension(name, ClientPaths.query(req, name));
    }

    private static boolean booleanParam(ServerRequest req, String name, boolean fallback) {
        return MediaQuery.bool(name, ClientPaths.query(req, name), fallback);
    }
}
