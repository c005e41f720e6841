package org.hearth.server;

import org.hearth.spec.id.ServerName;

/** The host of a server name as the listeners and certificates need it. */
final class ServerNames {
    private ServerNames() {}

    /** The host without port and without the brackets of an IPv6 literal (certificate names, SANs). */
    static String host(String serverName) {
        String host = ServerName.parse(serverName).host();
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    /** The host as it appears in a URL or host:port: IPv6 literals keep their brackets. */
    static String hostForUrl(String serverName) {
        return ServerName.parse(serverName).host();
    }
}
