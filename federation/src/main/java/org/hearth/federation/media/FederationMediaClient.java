package org.hearth.federation.media;

import java.io.ByteArrayInputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.hearth.core.media.ContentDisposition;
import org.hearth.core.port.RemoteMedia;
import org.hearth.federation.client.FederationClient;
import org.hearth.federation.client.FederationClient.RawResponse;
import org.hearth.federation.client.FederationException;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.json.Json;

/**
 * Remote media over federation (spec: Server-Server API, "Content Repository"): the signed
 * {@code /_matrix/federation/v1/media/download}, following a {@code Location} part when the origin names one, and,
 * when the origin answers 404 {@code M_UNRECOGNIZED} (a server older than v1.11), the deprecated
 * {@code /_matrix/media/v3/download} with {@code allow_remote=false}, as the spec and Synapse do.
 */
public final class FederationMediaClient implements RemoteMedia {
    private static final Logger LOG = System.getLogger(FederationMediaClient.class.getName());
    // The multipart framing and metadata around the content.
    private static final long FRAMING_BYTES = 64 * 1024;

    private final FederationClient client;

    public FederationMediaClient(FederationClient client) {
        this.client = client;
    }

    @Override
    public Optional<RemoteContent> download(ServerName origin, String mediaId, Duration timeout, long maxBytes) {
        String id = URLEncoder.encode(mediaId, StandardCharsets.UTF_8);
        String timeoutMs = "timeout_ms=" + timeout.toMillis();
        RawResponse r = get(origin, "/_matrix/federation/v1/media/download/" + id + "?" + timeoutMs,
                maxBytes + FRAMING_BYTES);
        if (r.status() == 200) {
            return Optional.of(multipart(origin, r, maxBytes));
        }
        if (unrecognized(r)) {
            String legacy = "/_matrix/media/v3/download/" + URLEncoder.encode(origin.value(), StandardCharsets.UTF_8)
                    + "/" + id + "?allow_remote=false&" + timeoutMs;
            r = get(origin, legacy, maxBytes);
            if (r.status() == 200) {
                return Optional.of(content(r.header("content-type"), r.header("content-disposition"), r.body(),
                        maxBytes));
            }
        }
        return failed(origin, r);
    }

    private RawResponse get(ServerName origin, String target, long maxBytes) {
        try {
            return client.getRaw(origin.value(), target, maxBytes);
        } catch (FederationException e) {
            LOG.log(Level.DEBUG, "media from " + origin + ": " + e.getMessage());
            throw new MatrixException(ErrorCode.UNKNOWN, 502, "Could not fetch the media from " + origin);
        }
    }

    private RemoteContent multipart(ServerName origin, RawResponse r, long maxBytes) {
        List<Multipart.Part> parts = Multipart.boundary(r.header("content-type"))
                .flatMap(b -> Multipart.parse(r.body(), b))
                .filter(p -> p.size() == 2)
                .orElseThrow(() -> badAnswer(origin, "not a two-part multipart/mixed answer"));
        Multipart.Part media = parts.get(1);
        String location = media.header("location");
        if (location == null) {
            return content(media.header("content-type"), media.header("content-disposition"), media.content(),
                    maxBytes);
        }
        URI url;
        try {
            url = URI.create(location);
        } catch (IllegalArgumentException e) {
            throw badAnswer(origin, "unusable Location");
        }
        RawResponse redirected;
        try {
            redirected = client.getUrl(url, maxBytes);
        } catch (FederationException e) {
            LOG.log(Level.DEBUG, "media from " + origin + " at " + url.getHost() + ": " + e.getMessage());
            throw new MatrixException(ErrorCode.UNKNOWN, 502, "Could not fetch the media from " + origin);
        }
        if (redirected.status() != 200) {
            throw badAnswer(origin, "its Location answered " + redirected.status());
        }
        return content(redirected.header("content-type"), redirected.header("content-disposition"),
                redirected.body(), maxBytes);
    }

    private static RemoteContent content(String contentType, String disposition, byte[] body, long maxBytes) {
        if (body.length > maxBytes) {
            throw new MatrixException(ErrorCode.TOO_LARGE, 502, "Remote content is over the limit of " + maxBytes
                    + " bytes");
        }
        return new RemoteContent(contentType, ContentDisposition.fileName(disposition), body.length,
                new ByteArrayInputStream(body));
    }

    private static boolean unrecognized(RawResponse r) {
        return (r.status() == 404 || r.status() == 400 || r.status() == 405)
                && "M_UNRECOGNIZED".equals(errcode(r));
    }

    /** The origin's answer that is not the media: 404 is "no such media", 504 still uploading, else 502. */
    private static Optional<RemoteContent> failed(ServerName origin, RawResponse r) {
        String errcode = errcode(r);
        if (r.status() == 404) {
            return Optional.empty();
        }
        if (r.status() == 504 && "M_NOT_YET_UPLOADED".equals(errcode)) {
            throw new MatrixException(ErrorCode.NOT_YET_UPLOADED, "Content has not yet been uploaded");
        }
        if ("M_TOO_LARGE".equals(errcode)) {
            throw new MatrixException(ErrorCode.TOO_LARGE, 502, "Remote content is too large");
        }
        throw badAnswer(origin, "answered " + r.status() + (errcode == null ? "" : " " + errcode));
    }

    private static String errcode(RawResponse r) {
        try {
            return Json.parseObject(new String(r.body(), StandardCharsets.UTF_8)).getString("errcode", null);
        } catch (RuntimeException notJson) {
            return null;
        }
    }

    private static MatrixException badAnswer(ServerName origin, String why) {
        LOG.log(Level.DEBUG, "media from " + origin + ": " + why);
        return new MatrixException(ErrorCode.UNKNOWN, 502, "Could not fetch the media from " + origin + ": " + why);
    }
}
