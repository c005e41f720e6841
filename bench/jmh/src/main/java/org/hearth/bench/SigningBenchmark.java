package org.hearth.bench;

import com.google.crypto.tink.subtle.Ed25519Verify;
import jakarta.json.JsonObject;
import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;
import org.hearth.spec.crypto.Signatures;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.event.EventIds;
import org.hearth.spec.event.EventSigning;
import org.hearth.spec.event.Redaction;
import org.hearth.spec.json.CanonicalJson;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Canonical JSON, signing and verifying of a typical ~500-byte event, single-threaded (per core).
 * {@code eventHashAndSign} and {@code eventVerify} are what a server does per event (content hash, redaction,
 * canonical JSON, Ed25519); {@code ed25519*Only} are the crypto alone.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SigningBenchmark {
    /** A v11 m.room.message PDU of about 500 bytes, as a client send produces. */
    static final String EVENT = """
            {"auth_events":["$Nwp1DJRcOKKnZmDJ-pfzXHsYWZGPGyc3RlMDNBf-ao8","$Xn8Fz0cPnSDemVDgLNZ9KozVJQUF1J5IHBTk59BlR7Q",\
            "$u7pWJuoJbjRuTAl9Cp0oB5DDv-Q0aUwGOnoqD3p_cqs"],"content":{"body":"Shall we move the planning meeting \
            to Thursday afternoon? The room on the third floor is free from two.","msgtype":"m.text"},"depth":4211,\
            "hashes":{"sha256":"9z0DtqqRZ0zCjd7UGMM2Vw1nqzI2xiEUIGwj3GZ0Tz8"},"origin_server_ts":1764280000000,\
            "prev_events":["$kB1-zxBpTKj6ZrSFb43o8W0AsHyfTTdyg8yuM3rYEXc"],"room_id":"!oVZpVaVpfXJmpXsOnm:example.org",\
            "sender":"@alice:example.org","type":"m.room.message","unsigned":{"age_ts":1764280000000}}""";

    JsonObject event;
    JsonObject signed;
    JsonObject signedEvent;
    byte[] canonical;
    SigningKey key;
    byte[] publicKey;

    @Setup
    public void setUp() {
        event = Json.parseObject(EVENT);
        key = SigningKey.generate("bench");
        publicKey = key.publicKey();
        signed = Signatures.sign(event, "example.org", key);
        canonical = CanonicalJson.encodeBytes(event);
        signedEvent = EventSigning.hashAndSign(RoomVersion.V11, event, "example.org", key);
        signature = key.sign(canonical);
        verifier = new Ed25519Verify(publicKey);
    }

    byte[] signature;
    Ed25519Verify verifier;

    @Benchmark
    public JsonObject eventHashAndSign() {
        return EventSigning.hashAndSign(RoomVersion.V11, event, "example.org", key);
    }

    @Benchmark
    public boolean eventVerify() {
        return EventSigning.verify(RoomVersion.V11, signedEvent, "example.org", key.keyId(), publicKey);
    }

    @Benchmark
    public JsonObject redact() {
        return Redaction.redact(RoomVersion.V11, event);
    }

    @Benchmark
    public String eventId() {
        return EventIds.compute(RoomVersion.V11, signedEvent);
    }

    @Benchmark
    public boolean ed25519VerifyOnly() throws GeneralSecurityException {
        verifier.verify(signature, canonical);
        return true;
    }

    @Benchmark
    public byte[] canonicalJson() {
        return CanonicalJson.encodeBytes(event);
    }

    @Benchmark
    public JsonObject canonicalizeAndSign() {
        return Signatures.sign(event, "example.org", key);
    }

    @Benchmark
    public boolean canonicalizeAndVerify() {
        return Signatures.verify(signed, "example.org", key.keyId(), publicKey);
    }

    @Benchmark
    public byte[] ed25519SignOnly() {
        return key.sign(canonical);
    }

    @Benchmark
    public int parse() {
        return Json.parseObject(EVENT).size();
    }
}
