package org.hearth.federation.media;

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
import java.util.LinkedHashMap;
import java.util.Map;
import org.hearth.core.media.ContentDisposition;
import org.hearth.core.media.ContentRepository;
import org.hearth.core.media.MediaQuery;
import org.hearth.federation.auth.FederationAuth;
import org.hearth.federation.auth.FederationRequest;
import org.hearth.federation.http.FederationJson;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;

/**
 * Spec: Server-Server API, "Content Repository" (v1.11): our media for other servers, as {@code multipart/mixed}
 * with an empty JSON metadata part and the content inline (never a Location); mounted at /_matrix/federation/v1.
 * Thumbnails are made as for our clients. Media uploaded during the freeze is served: the request is authenticated.
 */
public final class MediaRoutes implements HttpService {

    private final FederationAuth auth;
    private final ContentRepository media;

    public MediaRoutes(FederationAuth auth, ContentRepository media) {
        this.auth = auth;
        this.media = media;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/media/download/{mediaId}", auth.authenticated(this::download))
                .any("/media/download/{mediaId}", FederationJson::wrongMethod)
                .get("/media/thumbnail/{mediaId}", auth.authenticated(this::thumbnail))
                .any("/media/thumbnail/{mediaId}", FederationJson::wrongMethod);
    }

    private void download(ServerRequest req, ServerResponse res, FederationRequest request) {
        var content = media.download(media.serverName(), mediaId(req), MediaQuery.timeout(req.query().first("timeout_ms").orElse(null)), true);
        send(res, content, ContentDisposition.forType(content.contentType(), content.fileName()));
    }

    private void thumbnail(ServerRequest req, ServerResponse res, FederationRequest request) {
        int width = MediaQuery.dimension("width", req.query().first("width").orElse(null));
        int height = MediaQuery.dimension("height", req.query().first("height").orElse(null));
        String method = req.query().first("method").orElse("scale");
        if (!method.equals("crop") && !method.equals("scale")) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "method must be crop or scale");
        }
        boolean animated = MediaQuery.bool("animated", req.query().first("animated").orElse(null), false);
        var content = media.thumbnail(media.serverName(), mediaId(req), width, height, method, animated, MediaQuery.timeout(req.query().first("timeout_ms").orElse(null)),
                true);
        send(res, content, "inline");
    }

    private static void send(ServerResponse res, ContentRepository.Content content, String disposition) {
        String boundary = Multipart.newBoundary();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", content.contentType());
        headers.put("Content-Disposition", disposition);
        byte[] head = Multipart.head(boundary, "{}", headers);
        byte[] tail = Multipart.tail(boundary);
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "multipart/mixed; boundary=" + boundary);
        res.header(HeaderNames.CONTENT_LENGTH, Long.toString(head.length + content.length() + tail.length));
        try (InputStream in = content.body(); OutputStream out = res.outputStream()) {
            out.write(head);
            in.transferTo(out);
            out.write(tail);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String mediaId(ServerRequest req) {
        return req.path().pathParameters().get("mediaId");
    }
}
