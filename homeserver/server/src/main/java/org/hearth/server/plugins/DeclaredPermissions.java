package org.hearth.server.plugins;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarFile;
import org.hearth.plugin.api.Permissions;

/**
 * What each loaded plugin declared in its manifest's {@code Plugin-Permissions}, read at each load (a reload may
 * declare otherwise). Empty for a plugin that declared nothing: it keeps the 0.2.0 behaviour.
 */
public final class DeclaredPermissions {
    private final Map<String, Optional<Permissions>> byPlugin = new ConcurrentHashMap<>();

    /** Reads the jar's manifest; {@link IllegalArgumentException} for a malformed declaration. */
    void read(String pluginId, Path jar) {
        String declared = null;
        if (jar != null && Files.isRegularFile(jar)) {
            try (JarFile file = new JarFile(jar.toFile())) {
                var manifest = file.getManifest();
                declared = manifest == null ? null : manifest.getMainAttributes().getValue(Permissions.MANIFEST_ENTRY);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read its manifest: " + e.getMessage(), e);
            }
        }
        byPlugin.put(pluginId, declared == null ? Optional.empty() : Optional.of(Permissions.parse(declared)));
    }

    public Optional<Permissions> of(String pluginId) {
        return byPlugin.getOrDefault(pluginId, Optional.empty());
    }
}
