package org.hearth.core.port;

import jakarta.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.id.UserId;

/**
 * The keys of users on other servers (spec: Server-Server "End-to-End Encryption": {@code /user/keys/query} and
 * {@code /user/keys/claim}), implemented by federation. A server that cannot be asked throws {@link Unreachable}:
 * /keys/query and /keys/claim report it in {@code failures}.
 */
public interface RemoteKeys {
    /** Without federation every remote server is unreachable. */
    RemoteKeys NONE = new RemoteKeys() {
        @Override
        public JsonObject query(ServerName server, Map<UserId, List<String>> deviceKeys, long timeoutMs) {
            throw new Unreachable("federation is not available");
        }

        @Override
        public JsonObject claim(ServerName server, Map<UserId, Map<String, String>> oneTimeKeys, long timeoutMs) {
            throw new Unreachable("federation is not available");
        }
    };

    /**
     * The server's answer to {@code /user/keys/query}: {@code device_keys}, and {@code master_keys} and
     * {@code self_signing_keys} when it has them. An empty device list asks for every device.
     */
    JsonObject query(ServerName server, Map<UserId, List<String>> deviceKeys, long timeoutMs);

    /** The server's answer to {@code /user/keys/claim}: {@code one_time_keys}. */
    JsonObject claim(ServerName server, Map<UserId, Map<String, String>> oneTimeKeys, long timeoutMs);

    /** The server could not be asked or did not answer in time; the message goes to {@code failures}. */
    final class Unreachable extends RuntimeException {
        public Unreachable(String message) {
            super(message, null, false, false);
        }
    }
}
