package org.hearth.bridge.irc;

import java.util.Map;

/**
 * The IRC side of the bridge's config.
 *
 * @param links        channels linked by config: channel name to room ID or alias (the bot joins them at start)
 * @param userPrefix   localpart prefix of the IRC users' virtual Matrix users (must match the registration)
 * @param burst        lines a connection may send at once before the rate limit applies
 * @param perSecond    lines a second a connection sends after the burst
 * @param publicMediaUrl the homeserver's public base URL, for media links sent to IRC
 */
public record IrcConfig(String host, int port, String botNick, String networkId, String userPrefix, int burst,
                        double perSecond, Map<String, String> links, String publicMediaUrl) {
    public IrcConfig {
        if (host == null || host.isBlank() || port <= 0 || port > 65535) {
            throw new IllegalArgumentException("irc.host and irc.port are required");
        }
        botNick = botNick == null ? "hearthbridge" : botNick;
        networkId = networkId == null ? host : networkId;
        userPrefix = userPrefix == null ? "irc_" : userPrefix;
        links = links == null ? Map.of() : Map.copyOf(links);
        publicMediaUrl = publicMediaUrl == null ? "" : publicMediaUrl.replaceAll("/+$", "");
    }

    public TokenBucket limiter() {
        return new TokenBucket(burst, perSecond);
    }
}
