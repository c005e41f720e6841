package org.hearth.core.port;

import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;
import org.hearth.spec.id.ServerName;

/**
 * Media of other servers ({@code mxc://<other server>/<id>}), fetched over federation
 * ({@code /_matrix/federation/v1/media/download}, falling back to the deprecated {@code /_matrix/media/v3} one for
 * older servers). Thumbnails of remote media are made here from the fetched original (as Synapse does), so only the
 * original is fetched. {@link #NONE} knows no remote media: every such request answers 404 {@code M_NOT_FOUND}.
 */
public interface RemoteMedia {
    RemoteMedia NONE = (origin, mediaId, timeout, maxBytes) -> Optional.empty();

    /**
     * The content, empty when the origin does not have it. At most {@code maxBytes}: a longer one throws 502
     * {@code M_TOO_LARGE}; an origin that cannot be reached throws 502.
     */
    Optional<RemoteContent> download(ServerName origin, String mediaId, Duration timeout, long maxBytes);

    /** {@code fileName} and {@code contentType} may be null; the caller closes {@code body}. */
    record RemoteContent(String contentType, String fileName, long length, InputStream body) {}
}
