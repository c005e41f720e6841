package org.hearth.plugin.api;

import java.util.Map;
import java.util.Optional;
import org.pf4j.ExtensionPoint;

/**
 * Pages a browser loads without an access token (a widget's HTML, its script, images), served for {@code GET} under
 * {@code /_hearth/plugins/{pluginId}/web/}: the path given is the rest after {@code web/}, e.g. {@code picker.html}.
 * Empty answers 404. Nothing authenticates these requests: a page that shows a user's data needs a secret of its
 * own in its URL (a token the plugin issued).
 */
public interface WebPages extends ExtensionPoint {
    Optional<WebPage> page(String path, Map<String, String> query);

    record WebPage(int status, String contentType, byte[] body) {
        public WebPage {
            if (status < 200 || status > 599 || contentType == null || body == null) {
                throw new IllegalArgumentException("status, content type and body are required");
            }
            body = body.clone();
        }

        public static WebPage ok(String contentType, byte[] body) {
            return new WebPage(200, contentType, body);
        }

        @Override
        public byte[] body() {
            return body.clone();
        }
    }
}
