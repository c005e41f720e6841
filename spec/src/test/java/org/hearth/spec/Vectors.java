package org.hearth.spec;

import static org.junit.jupiter.api.Assertions.fail;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.hearth.spec.json.Json;

/** The shared protocol vectors (../shared/vectors, see its README); tests fail, never skip, when they are missing. */
public final class Vectors {
    private Vectors() {}

    /** The shared directory: system property {@code hearth.shared.dir}, else {@code shared} beside the repository root. */
    public static Path sharedDir() {
        String configured = System.getProperty("hearth.shared.dir");
        Path dir = configured != null && !configured.isBlank() ? Path.of(configured) : besideRepositoryRoot();
        if (dir == null || !Files.isDirectory(dir.resolve("vectors"))) {
            fail("shared vectors not found (hearth.shared.dir=" + configured + ", fallback " + dir
                    + "): the protocol tests need ../shared/vectors");
        }
        return dir;
    }

    /** One vector file, parsed. */
    public static JsonObject load(String file) {
        Path path = sharedDir().resolve("vectors").resolve(file);
        try {
            return Json.parseObject(Files.readAllBytes(path));
        } catch (IOException e) {
            throw new AssertionError("cannot read " + path, e);
        }
    }

    /** The objects of array {@code key} in vector file {@code file}; fails when it is empty. */
    public static List<JsonObject> cases(String file, String key) {
        List<JsonObject> cases = load(file).getJsonArray(key).getValuesAs(JsonObject.class);
        if (cases.isEmpty()) {
            fail(file + " has no " + key);
        }
        return cases;
    }

    /** Decodes lower-case or upper-case hex. */
    public static byte[] hex(String hex) {
        byte[] out = new byte[hex.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    /** The canonical form: equal for equal JSON values whatever their key order, and readable in a failure. */
    public static String canonical(JsonValue v) {
        return org.hearth.spec.json.CanonicalJson.encode(v);
    }

    private static Path besideRepositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve(".git"))) {
            dir = dir.getParent();
        }
        return dir == null ? null : dir.resolveSibling("shared");
    }
}
