package org.hearth.core.port;

import jakarta.json.JsonObject;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.ServerName;

/**
 * Another server's published room directory ({@code /publicRooms?server=...}), fetched over federation
 * ({@code GET|POST /_matrix/federation/v1/publicRooms}); implemented by the federation module.
 */
public interface RemoteRoomDirectory {
    /** Without federation every other server is out of reach: answered as Synapse answers an unreachable one. */
    RemoteRoomDirectory UNREACHABLE = request -> {
        throw new MatrixException(ErrorCode.UNKNOWN, 502, "Failed to fetch room list");
    };

    /** What the client asked, to be passed on as the federation request's body or query. */
    record Request(ServerName server, Integer limit, String since, JsonObject filter, boolean includeAllNetworks,
                   String thirdPartyInstanceId) {}

    /** The remote server's answer in the Client-Server response shape ({@code chunk}, {@code next_batch}, ...). */
    JsonObject publicRooms(Request request);
}
