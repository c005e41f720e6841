package org.hearth.server.client;

import java.net.http.HttpRequest;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The sync and ephemeral-stream endpoints over real HTTP. */
class SyncRoutesIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();

    @ParameterizedTest
    @ValueSource(strings = {"/_matrix/client/v3/sync", "/_matrix/client/r0/sync", "/_matrix/client/v3/capabilities",
            "/_matrix/client/r0/capabilities", "/_matrix/client/v3/presence/@a:x/status",
            "/_matrix/client/v3/user/@a:x/account_data/m.direct", "/_matrix/client/v3/user/@a:x/rooms/!r:x/tags",
            "/_matrix/client/v3/user/@a:x/filter/1"})
    void everyEndpointNeedsAnAccessToken(String path) {
        server.client("GET", path).assertError(401, "M_MISSING_TOKEN");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/_matrix/client/v3/sync", "/_matrix/client/v3/rooms/!r:x/typing/@a:x",
            "/_matrix/client/r0/rooms/!r:x/read_markers", "/_matrix/client/v3/user/@a:x/rooms/!r:x/tags/u.x"})
    void knownPathsAnswerWrongMethods405(String path) {
        server.client("PATCH", path, HttpRequest.BodyPublishers.ofString("{}")).assertError(405, "M_UNRECOGNIZED");
    }
}
