package org.hearth.plugin.api;

import java.util.Optional;
import org.pf4j.ExtensionPoint;

/**
 * A MatrixRTC LiveKit focus the plugin serves itself (MSC4195's token service), advertised by the server (since
 * 0.5.0): in {@code /.well-known/matrix/client} as {@code org.matrix.msc4143.rtc_foci} and at
 * {@code GET /_matrix/client/unstable/org.matrix.msc4143/rtc/transports}, as
 * {@code {"type": "livekit", "livekit_service_url": "<client base URL>/_hearth/plugins/<pluginId>/public<path>"}},
 * after the focus the server's own {@code voip.livekit_service_url} names, if any. Asked once, at load.
 */
public interface RtcFocus extends ExtensionPoint {
    /** The service's path under the plugin's {@link PublicRoutes}, e.g. {@code /livekit}; empty: none (not configured). */
    Optional<String> livekitServicePath();
}
