package org.hearth.core.media;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.hearth.core.port.RemoteMedia;
import org.hearth.core.ratelimit.RateLimited;
import org.hearth.core.storage.Database;
import org.hearth.core.storage.Rows;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.id.UserId;

/**
 * The content repository (spec: "Content repository"): uploads, asynchronous uploads ({@code /media/v1/create}
 * then PUT), downloads and thumbnails. Bytes go to {@link MediaFiles}, metadata to the {@code media} table.
 * Thumbnails are made lazily, on the first request for a size, then kept on disk and in {@code media_thumbnails}.
 */
public final class ContentRepository {
    /** Spec "Matrix Content (mxc://) URIs": a media ID is only A-Za-z0-9, '_' and '-'. */
    private static final Pattern MEDIA_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    // Other servers' IDs: the spec's characters, up to the column's 255 (Synapse's are longer than ours).
    private static final Pattern REMOTE_MEDIA_ID = Pattern.compile("[A-Za-z0-9_-]{1,255}");
    private static final String ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    static final int MAX_FILE_NAME = 1024;
    /** Animated originals larger than this are not served as thumbnails (a still one is made instead). */
    static final long MAX_ANIMATED_ORIGINAL = 4L * 1024 * 1024;
    private static final java.util.Set<String> ANIMATABLE = java.util.Set.of("image/gif", "image/webp");
    static final int MAX_CONTENT_TYPE = 255;

    private final Database db;
    private final MediaFiles files;
    private final Thumbnailer thumbnailer;
    private final RemoteMedia remote;
    private final ServerName ourName;
    private final MediaSettings settings;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    // Downloads waiting for an asynchronous upload are woken when any upload completes, and re-read their row.
    private final ReentrantLock uploads = new ReentrantLock();
    private final Condition uploadCompleted = uploads.newCondition();
    private final ConcurrentHashMap<String, FutureTask<MediaRow>> remoteFetches = new ConcurrentHashMap<>();

    public ContentRepository(Database db, MediaFiles files, RemoteMedia remote, ServerName ourName,
                             MediaSettings settings, Clock clock) {
        this.db = db;
        this.files = files;
        this.thumbnailer = new Thumbnailer(settings.maxImagePixels());
        this.remote = remote;
        this.ourName = ourName;
        this.settings = settings;
        this.clock = clock;
    }

    public MediaSettings settings() {
        return settings;
    }

    public String serverName() {
        return ourName.value();
    }

    /** A {@code media} row; {@code sha256} null until the content is uploaded. */
    record MediaRow(String mediaId, String uploader, String contentType, String fileName, Long size, String sha256,
                    Long unusedExpiresTs, boolean authenticated) {}

    public record Created(String contentUri, long unusedExpiresAt) {}

    /** Something to send: {@code fileName} may be null; the caller closes {@code body}. */
    public record Content(String contentType, String fileName, long length, InputStream body) {}

    /** POST /upload: stores {@code body} (streamed, at most the upload limit) and returns its {@code mxc://} URI. */
    public String upload(UserId uploader, String contentType, String fileName, InputStream body) {
        String type = contentType(contentType);
        checkFileName(fileName);
        MediaFiles.Stored stored = store(uploader, body);
        String mediaId = newMediaId();
        long now = clock.millis();
        String served = ContentSniffing.checked(type, stored.head());
        db.transaction(tx -> tx.createNamedInsert("media-insert").params(row(mediaId, uploader, served, fileName,
                stored.size(), stored.sha256(), now, now, null)).execute());
        return mxc(mediaId);
    }

    /**
     * POST /media/v1/create: a media ID to upload to later. A user may hold at most {@code maxPendingUploads}
     * unexpired ones (429 M_LIMIT_EXCEEDED, retry when the earliest expires).
     */
    public Created create(UserId uploader) {
        long now = clock.millis();
        long expires = now + settings.unusedExpiry().toMillis();
        String mediaId = newMediaId();
        db.transaction(tx -> {
            // Expired IDs never got content: nothing refers to them, so they go (keeps the table bounded).
            tx.createNamedDelete("media-delete-expired").addParam("uploader", uploader.value()).addParam("now", now).execute();
            DbRow pending = tx.createNamedGet("media-pending-count").addParam("uploader", uploader.value())
                    .addParam("now", now).execute().orElseThrow();
            long count = ((Number) pending.column("pending").get()).longValue();
            if (count >= settings.maxPendingUploads()) {
                long earliest = pending.column("earliest").asOptional().map(v -> ((Number) v).longValue()).orElse(now);
                throw new RateLimited(Math.max(1, earliest - now));
            }
            return tx.createNamedInsert("media-insert").params(row(mediaId, uploader, null, null, null, null, now,
                    null, expires)).execute();
        });
        return new Created(mxc(mediaId), expires);
    }

    /**
     * PUT /upload/{serverName}/{mediaId}: the content of a created media ID, only by its creator (403), only once
     * (409 M_CANNOT_OVERWRITE_MEDIA), only before it expires (404).
     */
    public void uploadTo(UserId uploader, String serverName, String mediaId, String contentType, String fileName,
                         InputStream body) {
        if (!ourName.value().equals(serverName) || !MEDIA_ID.matcher(mediaId).matches()) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "Unknown media ID");
        }
        String type = contentType(contentType);
        checkFileName(fileName);
        MediaRow row = find(db.execute(), mediaId).orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "Unknown media ID"));
        if (!row.uploader().equals(uploader.value())) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "Only the creator of this media ID may upload to it");
        }
        if (row.sha256() != null) {
            throw new MatrixException(ErrorCode.CANNOT_OVERWRITE_MEDIA, "Media already uploaded");
        }
        if (expired(row)) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "Unknown media ID (it expired)");
        }
        MediaFiles.Stored stored = store(uploader, body);
        Map<String, Object> params = new HashMap<>();
        params.put("media_id", mediaId);
        params.put("content_type", ContentSniffing.checked(type, stored.head()));
        params.put("upload_name", fileName);
        params.put("size_bytes", stored.size());
        params.put("sha256", stored.sha256());
        params.put("uploaded_ts", clock.millis());
        long changed = db.transaction(tx -> tx.createNamedUpdate("media-complete").params(params).execute());
        if (changed == 0) {
            // Another PUT completed first.
            throw new MatrixException(ErrorCode.CANNOT_OVERWRITE_MEDIA, "Media already uploaded");
        }
        uploads.lock();
        try {
            uploadCompleted.signalAll();
        } finally {
            uploads.unlock();
        }
    }

    /**
     * The content of {@code mxc://serverName/mediaId}, waiting up to {@code timeout} for an asynchronous upload
     * (504 M_NOT_YET_UPLOADED after it). {@code authenticatedEndpoint} false is the deprecated unauthenticated
     * API, which does not serve media uploaded while the freeze is on (404, as Synapse).
     */
    public Content download(String serverName, String mediaId, Duration timeout, boolean authenticatedEndpoint) {
        ServerName origin = serverName(serverName);
        MediaRow row = origin.equals(ourName) ? awaitContent(mediaId, timeout, authenticatedEndpoint)
                : remoteRow(origin, mediaId, timeout);
        return new Content(row.contentType(), row.fileName(), row.size(), open(files.content(row.sha256())));
    }

    /**
     * A thumbnail of at least {@code width}x{@code height} where the image allows (spec "Thumbnails").
     * {@code animated} (spec v1.11): a GIF or WebP no larger than the thumbnail size chosen, and at most
     * {@link #MAX_ANIMATED_ORIGINAL} bytes, is served as it is, so it stays animated; a larger one gets a still
     * thumbnail of its first frame, as for {@code animated=false} (no maintained Java encoder writes animated WebP).
     */
    public Content thumbnail(String serverName, String mediaId, int width, int height, String method, boolean animated,
                             Duration timeout, boolean authenticatedEndpoint) {
        if (width < 1 || height < 1) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "width and height must be positive");
        }
        if (!method.equals("crop") && !method.equals("scale")) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "method must be crop or scale");
        }
        ServerName origin = serverName(serverName);
        MediaRow row = origin.equals(ourName) ? awaitContent(mediaId, timeout, authenticatedEndpoint)
                : remoteRow(origin, mediaId, timeout);
        String type = baseType(row.contentType());
        if (!Thumbnailer.SOURCE_TYPES.contains(type)) {
            throw Thumbnailer.cannotThumbnail();
        }
        Path source = files.content(row.sha256());
        Thumbnailer.Dimensions image = thumbnailer.probe(source);
        Thumbnailer.Target target = Thumbnailer.choose(image, width, height, method, settings.thumbnailSizes(),
                Thumbnailer.outputType(type));
        boolean originalSize = target.width() == image.width() && target.height() == image.height();
        if (animated && originalSize && ANIMATABLE.contains(type) && row.size() <= MAX_ANIMATED_ORIGINAL) {
            return new Content(type, null, row.size(), open(source));
        }
        if (originalSize && (type.equals("image/png") || type.equals("image/jpeg"))) {
            // Spec: content smaller than the request is returned as it is, not thumbnailed.
            return new Content(type, null, row.size(), open(source));
        }
        Path cached = files.thumbnail(row.sha256(), target.width(), target.height(), target.method(), target.extension());
        boolean known = db.execute().createNamedGet("media-thumbnail-get").params(thumbnailKey(row.sha256(), target))
                .execute().isPresent();
        if (known && Files.isRegularFile(cached)) {
            return new Content(target.contentType(), null, size(cached), open(cached));
        }
        byte[] bytes = thumbnailer.make(source, target);
        files.storeThumbnail(cached, bytes);
        Map<String, Object> params = thumbnailKey(row.sha256(), target);
        params.put("size_bytes", (long) bytes.length);
        params.put("created_ts", clock.millis());
        db.transaction(tx -> tx.createNamedInsert("media-thumbnail-insert").params(params).execute());
        return new Content(target.contentType(), null, bytes.length, new java.io.ByteArrayInputStream(bytes));
    }

    /**
     * Streams the body to disk within the upload limit and, when a quota is set, within what is left of the
     * uploader's quota (its logical size: deduplicated bytes still count for each upload). Concurrent uploads of
     * one user may overshoot the quota by what they carry together.
     */
    private MediaFiles.Stored store(UserId uploader, InputStream body) {
        long quota = settings.userQuotaBytes();
        if (quota <= 0) {
            return files.store(body, settings.maxUploadBytes());
        }
        long used = db.execute().createNamedGet("media-user-usage").addParam("uploader", uploader.value()).execute()
                .flatMap(r -> r.column("used").asOptional().map(v -> ((Number) v).longValue())).orElse(0L);
        long left = Math.max(0, quota - used);
        if (left >= settings.maxUploadBytes()) {
            return files.store(body, settings.maxUploadBytes());
        }
        return files.store(body, left, () -> new StorageQuotaExceeded(
                "This upload would exceed your storage quota of " + quota + " bytes", settings.quotaInfoUri()));
    }

    private MediaRow awaitContent(String mediaId, Duration timeout, boolean authenticatedEndpoint) {
        if (!MEDIA_ID.matcher(mediaId).matches()) {
            throw notFound();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            MediaRow row = find(db.execute(), mediaId).orElseThrow(ContentRepository::notFound);
            if (!authenticatedEndpoint && row.authenticated()) {
                throw notFound();
            }
            if (row.sha256() != null) {
                return row;
            }
            if (expired(row)) {
                throw notFound();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new MatrixException(ErrorCode.NOT_YET_UPLOADED, "Content has not yet been uploaded");
            }
            uploads.lock();
            try {
                // Bounded: a completion in another process (or just before we locked) is seen at the next read.
                uploadCompleted.await(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MatrixException(ErrorCode.NOT_YET_UPLOADED, "Content has not yet been uploaded");
            } finally {
                uploads.unlock();
            }
        }
    }

    private boolean expired(MediaRow row) {
        return row.sha256() == null && row.unusedExpiresTs() != null && row.unusedExpiresTs() <= clock.millis();
    }

    /**
     * Remote media as kept here, fetched from its origin on first use: within the upload limit (502 M_TOO_LARGE
     * beyond, as the spec's download answers), its type checked against its bytes as an upload's is. Concurrent
     * requests for one media share one fetch.
     */
    private MediaRow remoteRow(ServerName origin, String mediaId, Duration timeout) {
        if (!REMOTE_MEDIA_ID.matcher(mediaId).matches()) {
            throw notFound();
        }
        Optional<MediaRow> kept = findRemote(origin, mediaId);
        if (kept.isPresent() && Files.isRegularFile(files.content(kept.get().sha256()))) {
            return kept.get();
        }
        String key = origin.value() + "/" + mediaId;
        FutureTask<MediaRow> fetch = new FutureTask<>(() -> fetchRemote(origin, mediaId, timeout));
        FutureTask<MediaRow> running = remoteFetches.putIfAbsent(key, fetch);
        if (running == null) {
            try {
                fetch.run();
            } finally {
                remoteFetches.remove(key, fetch);
            }
            running = fetch;
        }
        try {
            return running.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MatrixException(ErrorCode.UNKNOWN, 502, "Interrupted while fetching remote media");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private MediaRow fetchRemote(ServerName origin, String mediaId, Duration timeout) {
        long max = settings.maxUploadBytes();
        RemoteMedia.RemoteContent content = remote.download(origin, mediaId, timeout, max)
                .orElseThrow(ContentRepository::notFound);
        MediaFiles.Stored stored;
        try (InputStream body = content.body()) {
            stored = files.store(body, max, () -> new MatrixException(ErrorCode.TOO_LARGE, 502,
                    "Remote content is over the limit of " + max + " bytes"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String declared = content.contentType() == null || content.contentType().isBlank()
                ? "application/octet-stream" : content.contentType().strip();
        if (declared.length() > MAX_CONTENT_TYPE) {
            declared = "application/octet-stream";
        }
        String type = ContentSniffing.checked(declared, stored.head());
        String name = content.fileName() != null && content.fileName().length() <= MAX_FILE_NAME
                ? content.fileName() : null;
        db.transaction(tx -> tx.createNamedInsert("media-remote-insert").params(Rows.params("origin", origin.value(),
                "media_id", mediaId, "content_type", type, "upload_name", name, "size_bytes", stored.size(),
                "sha256", stored.sha256(), "fetched_ts", clock.millis())).execute());
        return findRemote(origin, mediaId).orElseThrow();
    }

    private Optional<MediaRow> findRemote(ServerName origin, String mediaId) {
        return db.execute().createNamedGet("media-remote-get").addParam("origin", origin.value())
                .addParam("media_id", mediaId).execute().map(r -> new MediaRow(mediaId, "",
                        Rows.string(r, "content_type"), Rows.string(r, "upload_name"), Rows.lng(r, "size_bytes"),
                        Rows.string(r, "sha256"), null, true));
    }

    /**
     * Deletes our media {@code mxcUri} once nothing refers to it any more: no stored (not purged) event's JSON and no
     * user's avatar. Called for the media of events purged by retention. The file is content-addressed and shared
     * by identical uploads, so it (and its thumbnails) goes only with the last media row naming its SHA-256.
     *
     * @return whether the media was deleted
     */
    public boolean deleteIfUnreferenced(String mxcUri) {
        String prefix = "mxc://" + ourName.value() + "/";
        if (!mxcUri.startsWith(prefix) || !MEDIA_ID.matcher(mxcUri.substring(prefix.length())).matches()) {
            return false;
        }
        String mediaId = mxcUri.substring(prefix.length());
        // The quotes around it: a JSON string equal to the URI, not one that merely starts with it.
        String pattern = "%\"" + mxcUri.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "\"%";
        String sha256 = db.transaction(tx -> {
            Optional<MediaRow> row = find(tx, mediaId);
            if (row.isEmpty()
                    || tx.createNamedGet("retention-media-referenced").addParam("pattern", pattern).execute().isPresent()
                    || tx.createNamedGet("retention-avatar-referenced").addParam("uri", mxcUri).execute().isPresent()) {
                return null;
            }
            tx.createNamedDelete("retention-media-delete").addParam("media_id", mediaId).execute();
            String sha = row.get().sha256();
            if (sha == null || tx.createNamedGet("retention-media-sha-used").addParam("sha256", sha).execute()
                    .isPresent()) {
                return "";
            }
            tx.createNamedDelete("retention-thumbnails-delete").addParam("sha256", sha).execute();
            return sha;
        });
        if (sha256 == null) {
            return false;
        }
        if (!sha256.isEmpty()) {
            files.delete(sha256);
        }
        return true;
    }

    private static ServerName serverName(String value) {
        return ServerName.tryParse(value).orElseThrow(
                () -> new MatrixException(ErrorCode.INVALID_PARAM, "Invalid server name: " + value));
    }

    private Optional<MediaRow> find(DbExecute exec, String mediaId) {
        return exec.createNamedGet("media-get").addParam("media_id", mediaId).execute().map(r -> new MediaRow(
                r.column("media_id").getString(),
                r.column("uploader").getString(),
                r.column("content_type").asOptional().map(Object::toString).orElse("application/octet-stream"),
                r.column("upload_name").asOptional().map(Object::toString).orElse(null),
                r.column("size_bytes").asOptional().map(v -> ((Number) v).longValue()).orElse(null),
                r.column("sha256").asOptional().map(Object::toString).orElse(null),
                r.column("unused_expires_ts").asOptional().map(v -> ((Number) v).longValue()).orElse(null),
                bool(r.column("authenticated").get())));
    }

    private Map<String, Object> row(String mediaId, UserId uploader, String type, String fileName, Long size,
                                    String sha256, long created, Long uploaded, Long unusedExpires) {
        Map<String, Object> p = new HashMap<>();
        p.put("media_id", mediaId);
        p.put("uploader", uploader.value());
        p.put("content_type", type);
        p.put("upload_name", fileName);
        p.put("size_bytes", size);
        p.put("sha256", sha256);
        p.put("created_ts", created);
        p.put("uploaded_ts", uploaded);
        p.put("unused_expires_ts", unusedExpires);
        p.put("authenticated", settings.authenticatedOnly());
        return p;
    }

    private static Map<String, Object> thumbnailKey(String sha256, Thumbnailer.Target t) {
        Map<String, Object> p = new HashMap<>();
        p.put("sha256", sha256);
        p.put("width", t.width());
        p.put("height", t.height());
        p.put("method", t.method());
        p.put("content_type", t.contentType());
        return p;
    }

    /** The uploaded Content-Type (application/octet-stream when none), as stored and served. */
    private static String contentType(String header) {
        if (header == null || header.isBlank()) {
            return "application/octet-stream";
        }
        String type = header.strip();
        if (type.length() > MAX_CONTENT_TYPE) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "Content-Type is longer than " + MAX_CONTENT_TYPE + " characters");
        }
        return type;
    }

    private static void checkFileName(String fileName) {
        if (fileName != null && fileName.length() > MAX_FILE_NAME) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "filename is longer than " + MAX_FILE_NAME + " characters");
        }
    }

    /** {@code image/PNG; charset=x} is {@code image/png}. */
    public static String baseType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    private String newMediaId() {
        char[] id = new char[24];
        for (int i = 0; i < id.length; i++) {
            id[i] = ID_CHARS.charAt(random.nextInt(ID_CHARS.length()));
        }
        return new String(id);
    }

    private String mxc(String mediaId) {
        return "mxc://" + ourName.value() + "/" + mediaId;
    }

    private static InputStream open(Path file) {
        try {
            return Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            // The row outlived its file (deleted by hand): nothing to serve.
            throw notFound();
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

    private static boolean bool(Object v) {
        return v instanceof Boolean b ? b : ((Number) v).intValue() != 0;
    }

    private static MatrixException notFound() {
        return new MatrixException(ErrorCode.NOT_FOUND, "Not found");
    }
}
