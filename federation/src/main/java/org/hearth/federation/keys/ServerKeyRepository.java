package org.hearth.federation.keys;

import static org.hearth.core.storage.Rows.str;
import static org.hearth.core.storage.Rows.lng;
import static org.hearth.core.storage.Rows.params;
import jakarta.json.JsonObject;
import java.util.Optional;
import org.hearth.core.storage.Database;
import org.hearth.spec.crypto.UnpaddedBase64;
import org.hearth.spec.json.CanonicalJson;
import org.hearth.spec.json.Json;

/** Other servers' verify keys and their latest key answers in SQL. */
final class ServerKeyRepository {
    private final Database database;

    ServerKeyRepository(Database database) {
        this.database = database;
    }

    record StoredResponse(long validUntilTs, long fetchedTs, JsonObject json) {}

    Optional<VerifyKey> key(String server, String keyId) {
        return database.execute().createNamedGet("federation-verify-key-get")
                .params(params("server_name", server, "key_id", keyId)).execute()
                .map(r -> new VerifyKey(server, keyId, UnpaddedBase64.decode(str(r, "public_key")),
                        lng(r, "valid_until_ts")));
    }

    Optional<StoredResponse> response(String server) {
        return database.execute().createNamedGet("federation-key-response-get")
                .params(params("server_name", server)).execute()
                .map(r -> new StoredResponse(lng(r, "valid_until_ts"), lng(r, "fetched_ts"),
                        Json.parseObject(str(r, "json"))));
    }

    /** The answer and its keys in one transaction, so a notary never serves an answer whose keys are missing. */
    void store(KeyResponse response, long now) {
        database.transaction(tx -> {
            for (VerifyKey k : response.keys()) {
                tx.createNamedInsert("federation-verify-key-upsert").params(params("server_name", k.serverName(),
                        "key_id", k.keyId(), "public_key", UnpaddedBase64.encode(k.publicKey()),
                        "valid_until_ts", k.validUntilTs(), "fetched_ts", now)).execute();
            }
            tx.createNamedInsert("federation-key-response-upsert").params(params("server_name", response.serverName(),
                    "valid_until_ts", response.validUntilTs(), "fetched_ts", now,
                    "json", CanonicalJson.encode(response.originSigned()))).execute();
            return null;
        });
    }
}
