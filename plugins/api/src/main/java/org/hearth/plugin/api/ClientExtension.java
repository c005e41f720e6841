package org.hearth.plugin.api;

import java.util.List;
import org.pf4j.ExtensionPoint;

/**
 * Client-API extensions, served under {@code /_matrix/client/unstable/{namespace}/}: a route {@code /packs} of
 * namespace {@code org.example.stickers} answers {@code /_matrix/client/unstable/org.example.stickers/packs}.
 * The namespace is the plugin's reverse-DNS name (lower-case letters, digits, {@code .}, {@code _}, {@code -}, at
 * least one dot). Two plugins declaring the same namespace cannot both load: the second is refused with the reason.
 * Requests are authenticated as the calling user, as for {@link PluginRoutes}.
 */
public interface ClientExtension extends ExtensionPoint {
    String namespace();

    List<PluginRoutes.Route> routes();
}
