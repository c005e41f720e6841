package org.hearth.server;

/** Parts of a server name (spec appendix "Server Name": host, optionally ":port"). */
final class ServerNames {
    private ServerNames() {}

    /** The host without port and without the brackets of an IPv6 literal. */
    static String host(String serverName) {
        if (serverName.startsWith("[")) {
            return serverName.substring(1, serverName.indexOf(']'));
        }
        int colon = serverName.lastIndexOf(':');
        return colon < 0 ? serverName : serverName.substring(0, colon);
    }

    /** The host as it appears in a URL: IPv6 literals keep their brackets. */
    static String hostForUrl(String serverName) {
        String host = host(serverName);
        return host.contains(":") ? "[" + host + "]" : host;
    }
}
