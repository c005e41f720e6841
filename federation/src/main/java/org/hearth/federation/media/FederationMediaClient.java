package org.hearth.federation.media;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
 * {@code /_matrix/media/v3/download} with {@code allow_remote=false}, as the spec and Synapse do. Bodies are
 * written to a temp file as they arrive (never held whole in memory) and handed on as a stream over it.
 */
public final class FederationMediaClient implements RemoteMedia {
    private static final Logger LOG = System.getLogger(FederationMediaClient.class.getName());
    // The multipart framing and metadata around the content.
    private static final long FRAMING_BYTES = 64 * 1024;

    private final FederationClient client;
    private final Path tmp;

    /** {@code tmp}: where fetched bodies are written while they arrive (the media store's temp directory). */
    public FederationMediaClient(FederationClient client, Path tmp) {
        this.client = client;
        this.tmp = tmp;
    }

    @Override
    public Optional<RemoteContent> download(ServerName origin, String mediaId, Duration timeout, long maxBytes) {
        Path file = tempFile();
        try {
            Optional<RemoteContent> content = fetch(origin, mediaId, timeout, maxBytes, file);
            if (content.isEmpty()) {
                delete(file);
            }
            return content;
        } catch (RuntimeException e) {
            delete(file);
            throw e;
        }
    }

    private Optional<RemoteContent> fetch(ServerName origin, String mediaId, Duration timeout, long maxBytes,
                                          Path file) {
        String id = URLEncoder.encode(mediaId, StandardCharsets.UTF_8);
        String timeoutMs = "timeout_ms=" + timeout.toMillis();
        RawResponse r = get(origin, "/_matrix/federation/v1/media/download/" + id + "?" + timeoutMs,
                maxBytes + FRAMING_BYTES, file);
        if (r.status() == 200) {
            return Optional.of(multipart(origin, r, maxBytes, file));
        }
        if (unrecognized(r, file)) {
            String legacy = "/_matrix/media/v3/download/" + URLEncoder.encode(origin.value(), StandardCharsets.UTF_8)
                    + "/" + id + "?allow_remote=false&" + timeoutMs;
            r = get(origin, legacy, maxBytes, file);
            if (r.status() == 200) {
                return Optional.of(content(r.header("content-type"), r.header("content-disposition"), file, 0,
                        size(file), maxBytes));
            }
        }
        return failed(origin, r, file);
    }

    private RawResponse get(ServerName origin, String target, long maxBytes, Path file) {
        try {
            return client.getRaw(origin.value(), target, maxBytes, file);
        } catch (FederationException e) {
            throw unreachable(origin, e);
        }
    }

    private static MatrixException unreachable(ServerName origin, FederationException e) {
        if ("M_TOO_LARGE".equals(e.errcode())) {
            return new MatrixException(ErrorCode.TOO_LARGE, 502, "Remote content is over the size limit");
        }
        LOG.log(Level.DEBUG, "media from " + origin + ": " + e.getMessage());
        return new MatrixException(ErrorCode.UNKNOWN, 502, "Could not fetch the media from " + origin);
    }

    private RemoteContent multipart(ServerName origin, RawResponse r, long maxBytes, Path file) {
        String boundary = Multipart.boundary(r.header("content-type"))
                .orElseThrow(() -> badAnswer(origin, "not a multipart/mixed answer"));
        long size = size(file);
        Map<String, String> headers;
        long offset;
        long length;
        if (size <= FRAMING_BYTES) {
            // Small (or a Location): parsed whole, as the spec's grammar allows.
            List<Multipart.Part> parts = Multipart.parse(readAll(file), boundary).filter(p -> p.size() == 2)
                    .orElseThrow(() -> badAnswer(origin, "not a two-part multipart/mixed answer"));
            headers = parts.get(1).headers();
            byte[] content = parts.get(1).content();
            if (headers.get("location") == null) {
                write(file, content);
            }
            offset = 0;
            length = content.length;
        } else {
            Multipart.FilePart part;
            try {
                part = Multipart.secondPart(file, boundary, (int) FRAMING_BYTES)
                        .orElseThrow(() -> badAnswer(origin, "not a two-part multipart/mixed answer"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            headers = part.headers();
            offset = part.offset();
            length = part.length();
        }
        String location = headers.get("location");
        if (location == null) {
            return content(headers.get("content-type"), headers.get("content-disposition"), file, offset, length,
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
            redirected = client.getUrl(url, maxBytes, file);
        } catch (FederationException e) {
            LOG.log(Level.DEBUG, "media from " + origin + " at " + url.getHost() + ": " + e.getMessage());
            throw unreachable(origin, e);
        }
        if (redirected.status() != 200) {
            throw badAnswer(origin, "its Location answered " + redirected.status());
        }
        return content(redirected.header("content-type"), redirected.header("content-disposition"), file, 0,
                size(file), maxBytes);
    }

    /** The file's bytes from {@code offset}: the stream deletes the file when closed. */
    private static RemoteContent content(String contentType, String disposition, Path file, long offset,
                                         long length, long maxBytes) {
        if (length > maxBytes) {
            throw new MatrixException(ErrorCode.TOO_LARGE, 502, "Remote content is over the limit of " + maxBytes
                    + " bytes");
        }
        InputStream body;
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.DELETE_ON_CLOSE);
            channel.position(offset);
            InputStream whole = Channels.newInputStream(channel);
            body = new FilterInputStream(whole) {
                private long left = length;

                @Override
                public int read() throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    int b = super.read();
                    if (b >= 0) {
                        left--;
                    }
                    return b;
                }

                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    int n = super.read(buf, off, (int) Math.min(len, left));
                    if (n > 0) {
                        left -= n;
                    }
                    return n;
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new RemoteContent(contentType, ContentDisposition.fileName(disposition), length, body);
    }

    private Path tempFile() {
        try {
            Files.createDirectories(tmp);
            return Files.createTempFile(tmp, "remote-", ".part");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] readAll(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not delete " + file + ": " + e.getMessage());
        }
    }

    private static boolean unrecognized(RawResponse r, Path file) {
        return (r.status() == 404 || r.status() == 400 || r.status() == 405)
                && "M_UNRECOGNIZED".equals(errcode(file));
    }

    /** The origin's answer that is not the media: 404 is "no such media", 504 still uploading, else 502. */
    private static Optional<RemoteContent> failed(ServerName origin, RawResponse r, Path file) {
        String errcode = errcode(file);
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

    /** The errcode of an error answer written to {@code file}; null when it is not a small JSON object. */
    private static String errcode(Path file) {
        try {
            if (Files.size(file) > FRAMING_BYTES) {
                return null;
            }
            return Json.parseObject(Files.readString(file, StandardCharsets.UTF_8)).getString("errcode", null);
        } catch (IOException | RuntimeException notJson) {
            return null;
        }
    }

    private static MatrixException badAnswer(ServerName origin, String why) {
        LOG.log(Level.DEBUG, "media from " + origin + ": " + why);
        return new MatrixException(ErrorCode.UNKNOWN, 502, "Could not fetch the media from " + origin + ": " + why);
    }
}
