package org.hearth.core.port;

import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;
import org.hearth.spec.id.ServerName;

/**
 * Media of other servers ({@code mxc://<other server>/<id>}), fetched over federation
 * ({@code /_matrix/federation/v1/media/download} and {@code /thumbnail}). Until federation implements it,
 * {@link #NONE} knows no remote media and every such request answers 404 {@code M_NOT_FOUND}.
 */
public interface RemoteMedia {
    RemoteMedia NONE = new RemoteMedia() {
        @Override
        public Optional<RemoteContent> download(ServerName origin, String mediaId, Duration timeout) {
            return Optional.empty();
        }

        @Override
        public Optional<RemoteContent> thumbnail(ServerName origin, String mediaId, int width, int height,
                                                 String method, Duration timeout) {
            return Optional.empty();
        }
    };

    /** The content, empty when the origin does not have it (or cannot be reached within {@code timeout}). */
    Optional<RemoteContent> download(ServerName origin, String mediaId, Duration timeout);

    /** A thumbnail the origin made ({@code method} is {@code crop} or {@code scale}); empty when it has none. */
    Optional<RemoteContent> thumbnail(ServerName origin, String mediaId, int width, int height, String method,
                                      Duration timeout);

    /** {@code fileName} may be null; the caller closes {@code body}. */
    record RemoteContent(String contentType, String fileName, long length, InputStream body) {}
}
