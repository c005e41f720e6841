package org.hearth.core.media;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * URL previews (spec: {@code GET /media/preview_url}): the page's OpenGraph data read with jsoup; its
 * {@code og:image} fetched and stored in the content repository, so the answer names it by {@code mxc://}.
 *
 * <p>Every fetch, and every redirect hop (at most {@link #MAX_REDIRECTS}), resolves the host first and refuses it
 * when any of its addresses is in the deny list (loopback, private, link-local, multicast by default) and not in
 * the allow list, so a preview cannot reach the operator's network. The HTTP client then connects through the
 * JVM's address cache, which holds the address just checked (no DNS rebinding between check and connect within
 * the cache's 30 s). Bodies are read up to {@code maxBytes}, each fetch within {@link #TIMEOUT}. Answers are
 * cached for an hour.
 */
public final class UrlPreviews {
    static final int MAX_REDIRECTS = 5;
    static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final int MAX_VALUE_CHARS = 1000;
    private static final int MAX_KEYS = 50;

    private final ContentRepository media;
    private final AddressRanges denied;
    private final AddressRanges allowed;
    private final long maxBytes;
    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER) // each hop is checked here
            .proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private final Cache<String, JsonObject> cache = Caffeine.newBuilder()
            .expireAfterWrite(Duration.ofHours(1)).maximumSize(10_000).build();

    public UrlPreviews(ContentRepository media, AddressRanges denied, AddressRanges allowed, long maxBytes) {
        this.media = media;
        this.denied = denied;
        this.allowed = allowed;
        this.maxBytes = maxBytes;
    }

    public JsonObject preview(UserId requester, String url) {
        URI uri = checkedUri(url);
        JsonObject cached = cache.getIfPresent(uri.toString());
        if (cached != null) {
            return cached;
        }
        Fetched page = fetch(uri);
        JsonObject result;
        if (page.contentType().startsWith("image/")) {
            String mxc = media.upload(requester, page.contentType(), null, new ByteArrayInputStream(page.body()));
            result = Json.objectBuilder().add("og:image", mxc).add("og:image:type", page.contentType())
                    .add("matrix:image:size", page.body().length).build();
        } else if (page.contentType().equals("text/html") || page.contentType().equals("application/xhtml+xml")) {
            result = openGraph(requester, page);
        } else {
            result = Json.objectBuilder().build();
        }
        cache.put(uri.toString(), result);
        return result;
    }

    private JsonObject openGraph(UserId requester, Fetched page) {
        Document doc;
        try {
            // Charset from the page's BOM or meta tag, else UTF-8.
            doc = Jsoup.parse(new ByteArrayInputStream(page.body()), null, page.uri().toString());
        } catch (IOException e) {
            return Json.objectBuilder().build();
        }
        Map<String, String> og = new LinkedHashMap<>();
        for (Element meta : doc.select("meta[property^=og:], meta[name^=og:]")) {
            String key = meta.hasAttr("property") ? meta.attr("property") : meta.attr("name");
            if (og.size() < MAX_KEYS && !og.containsKey(key) && meta.hasAttr("content")) {
                og.put(key, limited(meta.attr("content")));
            }
        }
        if (!og.containsKey("og:title")) {
            String title = doc.title();
            if (!title.isBlank()) {
                og.put("og:title", limited(title.strip()));
            }
        }
        if (!og.containsKey("og:description")) {
            Element description = doc.selectFirst("meta[name=description]");
            if (description != null && !description.attr("content").isBlank()) {
                og.put("og:description", limited(description.attr("content").strip()));
            }
        }
        JsonObjectBuilder out = Json.objectBuilder();
        og.forEach((k, v) -> {
            if (!k.startsWith("og:image")) {
                out.add(k, v);
            }
        });
        String image = og.get("og:image");
        if (image != null) {
            // Spec: og:image is an mxc:// URI, so the image is fetched (under the same rules) and stored.
            try {
                URI imageUri = checkedUri(page.uri().resolve(image.strip()).toString());
                Fetched fetched = fetch(imageUri);
                if (fetched.contentType().startsWith("image/")) {
                    out.add("og:image", media.upload(requester, fetched.contentType(), null,
                            new ByteArrayInputStream(fetched.body())));
                    out.add("og:image:type", fetched.contentType());
                    out.add("matrix:image:size", fetched.body().length);
                    og.forEach((k, v) -> {
                        if (k.equals("og:image:width") || k.equals("og:image:height") || k.equals("og:image:alt")) {
                            out.add(k, v);
                        }
                    });
                }
            } catch (MatrixException | IllegalArgumentException e) {
                // No image then; the rest of the preview stands.
            }
        }
        return out.build();
    }

    record Fetched(URI uri, String contentType, byte[] body) {}

    private Fetched fetch(URI start) {
        URI uri = start;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            checkAddresses(uri);
            HttpResponse<InputStream> res;
            try {
                res = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                        .header("User-Agent", "Hearth URL preview")
                        .header("Accept", "text/html, application/xhtml+xml, image/*;q=0.9, */*;q=0.1").GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                throw new MatrixException(ErrorCode.UNKNOWN, 502, "Failed to download content: " + e.getClass().getSimpleName());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MatrixException(ErrorCode.UNKNOWN, 502, "Interrupted");
            }
            try (InputStream in = res.body()) {
                int status = res.statusCode();
                if (status >= 300 && status < 400 && res.headers().firstValue("Location").isPresent()) {
                    uri = checkedUri(uri.resolve(res.headers().firstValue("Location").get()).toString());
                    continue;
                }
                if (status != 200) {
                    throw new MatrixException(ErrorCode.UNKNOWN, 502, "Failed to download content: HTTP " + status);
                }
                // At most maxBytes: a larger page is previewed from its beginning (its head holds the OpenGraph tags).
                byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes));
                String type = ContentRepository.baseType(res.headers().firstValue("Content-Type").orElse("application/octet-stream"));
                return new Fetched(uri, type, body);
            } catch (IOException e) {
                throw new MatrixException(ErrorCode.UNKNOWN, 502, "Failed to download content: " + e.getClass().getSimpleName());
            }
        }
        throw new MatrixException(ErrorCode.UNKNOWN, 502, "Too many redirects");
    }

    /** Refuses the host when any address it resolves to is denied (and not explicitly allowed). */
    private void checkAddresses(URI uri) {
        String host = uri.getHost();
        boolean literal = host.startsWith("[") || host.matches("[0-9.]+");
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new MatrixException(ErrorCode.UNKNOWN, 502, "DNS resolution failure during URL preview generation");
        }
        for (InetAddress address : addresses) {
            if (denied.contains(address) && !allowed.contains(address)) {
                if (literal) {
                    throw new MatrixException(ErrorCode.UNKNOWN, 403, "IP address blocked by IP blacklist entry");
                }
                // As Synapse: a name whose addresses are blocked is as good as unresolvable.
                throw new MatrixException(ErrorCode.UNKNOWN, 502, "DNS resolution failure during URL preview generation");
            }
        }
    }

    private static URI checkedUri(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "Invalid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null || uri.getRawUserInfo() != null) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "Only http and https URLs with a host can be previewed");
        }
        return uri;
    }

    private static String limited(String value) {
        return value.length() <= MAX_VALUE_CHARS ? value : value.substring(0, MAX_VALUE_CHARS);
    }
}
