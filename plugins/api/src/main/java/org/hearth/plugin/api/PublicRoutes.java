package org.hearth.plugin.api;

import java.util.List;
import org.pf4j.ExtensionPoint;

/**
 * Routes served <b>without</b> authentication under {@code /_hearth/plugins/{pluginId}/public/} (since 0.5.0): a
 * route with path {@code /sfu/get} answers {@code POST /_hearth/plugins/calls/public/sfu/get}. For callers that prove
 * who they are some other way (an OpenID token, see {@link Homeserver#openIdUser}), such as a browser app on another
 * origin (the server answers CORS preflights for every path). {@link PluginRequest#user()} is {@code ""}. A body
 * that is not JSON is answered 400 {@code M_NOT_JSON}, JSON that is not an object 400 {@code M_BAD_JSON}, before the
 * handler runs; errors as for
 * {@link PluginRoutes}.
 */
public interface PublicRoutes extends ExtensionPoint {
    List<PluginRoutes.Route> routes();
}
