package org.hearth.core.media;

import java.time.Duration;
import java.util.List;

/**
 * The content repository's limits. {@code authenticatedOnly}: new uploads are served only on the authenticated
 * {@code /_matrix/client/v1/media} endpoints, not the deprecated {@code /_matrix/media/v3} ones (the spec's
 * "freeze"; Synapse's {@code enable_authenticated_media}).
 */
public record MediaSettings(long maxUploadBytes, int maxPendingUploads, Duration unusedExpiry, long maxImagePixels,
                            List<ThumbnailSize> thumbnailSizes, boolean authenticatedOnly, long userQuotaBytes,
                            String quotaInfoUri) {
    /**
     * Synapse's defaults: 50 MiB uploads, 5 pending creates that expire after 24 h, 32 megapixels; no per-user
     * storage quota ({@code userQuotaBytes} 0).
     */
    public static MediaSettings defaults() {
        return new MediaSettings(50L * 1024 * 1024, 5, Duration.ofHours(24), 32_000_000L, ThumbnailSize.SPEC_DEFAULTS,
                true, 0, "");
    }

    public MediaSettings {
        thumbnailSizes = List.copyOf(thumbnailSizes);
    }
}
