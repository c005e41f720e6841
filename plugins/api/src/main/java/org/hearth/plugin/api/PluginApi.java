package org.hearth.plugin.api;

/**
 * The version of this API, semver. A plugin names the versions it works with in its manifest
 * ({@code Plugin-Requires: >=0.2.0 & <1.0.0}); the server refuses to load a plugin whose range excludes this one.
 * Minor versions add methods (with defaults) and types; only a major version removes or changes them.
 * 0.2.0 added plugin tables ({@link PluginDatabase}), {@link ClientExtension}, {@link SyncExtension},
 * {@link WebPages} and media in {@link Homeserver}. 0.3.0 added {@link MemberVisibility}, declared
 * {@link Permissions}, and redaction, read receipts the local user list and
 * {@link Homeserver#pushNotification} in {@link Homeserver}. 0.4.0 added {@link SyncAcknowledgement} and
 * {@link Homeserver#sendReceipt}. 0.5.0 added {@link PublicRoutes}, {@link RtcFocus},
 * {@link Homeserver#openIdUser}, {@link Homeserver#roomIdForAlias} and {@link DirectMessageBot}.
 */
public final class PluginApi {
    public static final String VERSION = "0.5.0";

    private PluginApi() {}
}
