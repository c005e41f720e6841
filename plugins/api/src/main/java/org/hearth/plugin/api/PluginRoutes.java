package org.hearth.plugin.api;

import java.util.List;
import org.pf4j.ExtensionPoint;

/**
 * HTTP routes of a plugin, served under {@code /_hearth/plugins/{pluginId}/}: a route with path {@code /links/{code}}
 * answers {@code /_hearth/plugins/invites/links/abc}. Every request is authenticated as the calling user (access
 * token, as for the client API) before a handler runs. A handler throws
 * {@link org.hearth.spec.error.MatrixException} for an error answer in the Matrix shape; any other throw is a 500
 * and counts as a failure of the plugin.
 */
public interface PluginRoutes extends ExtensionPoint {
    List<Route> routes();

    enum Method { GET, POST, PUT, DELETE }

    /**
     * @param path segments, each literal or a {@code {name}} parameter, e.g. {@code /rooms/{roomId}/links}
     */
    record Route(Method method, String path, Handler handler) {
        public static Route get(String path, Handler handler) {
            return new Route(Method.GET, path, handler);
        }

        public static Route post(String path, Handler handler) {
            return new Route(Method.POST, path, handler);
        }

        public static Route put(String path, Handler handler) {
            return new Route(Method.PUT, path, handler);
        }

        public static Route delete(String path, Handler handler) {
            return new Route(Method.DELETE, path, handler);
        }
    }

    @FunctionalInterface
    interface Handler {
        PluginResponse handle(PluginRequest request);
    }
}
