package org.hearth.core.media;

/**
 * Spec (v1.18) {@code M_USER_LIMIT_EXCEEDED}: the upload would take the user over their storage quota. Rendered at
 * the HTTP edge as 403 (the upload endpoints' status for quotas) with the required {@code info_uri}.
 */
public final class StorageQuotaExceeded extends RuntimeException {
    private final String infoUri;

    public StorageQuotaExceeded(String message, String infoUri) {
        super(message, null, false, false);
        this.infoUri = infoUri;
    }

    public String infoUri() {
        return infoUri;
    }
}
