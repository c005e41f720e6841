package org.hearth.server.plugins;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds plugin jars in tests as a plugin's own build would: javac with PF4J's annotation processor on the
 * processor path (it writes META-INF/extensions.idx), against the API on the class path, and a manifest naming the
 * plugin. The jar holds only the plugin's classes.
 */
public final class PluginJars {
    private PluginJars() {}

    /** Sources given as text: class name (with package) to source. */
    public static Path build(Path dir, String id, String requires, Map<String, String> sources) {
        return build(dir, id, requires, sources, Map.of());
    }

    /** With resources given as text: path in the jar (e.g. {@code db/x/V1__t.sql}) to content. */
    public static Path build(Path dir, String id, String requires, Map<String, String> sources, Map<String, String> resources) {
        return build(dir, id, requires, sources, resources, Map.of());
    }

    /** Sources and resources as text, with extra manifest entries. */
    public static Path build(Path dir, String id, String requires, Map<String, String> sources, Map<String, String> resources,
                             Map<String, String> manifestEntries) {
        try {
            Path src = Files.createTempDirectory("plugin-src-" + id);
            for (var source : sources.entrySet()) {
                Path file = src.resolve(source.getKey().replace('.', '/') + ".java");
                Files.createDirectories(file.getParent());
                Files.writeString(file, source.getValue());
            }
            Path res = Files.createTempDirectory("plugin-res-" + id);
            for (var resource : resources.entrySet()) {
                Path file = res.resolve(resource.getKey());
                Files.createDirectories(file.getParent());
                Files.writeString(file, resource.getValue());
            }
            return build(dir, id, requires, src, res, manifestEntries);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every .java file under {@code sourceRoot}, and the files of a {@code resources} directory beside it. */
    public static Path build(Path dir, String id, String requires, Path sourceRoot) {
        return build(dir, id, requires, sourceRoot, sourceRoot.resolveSibling("resources"));
    }

    public static Path build(Path dir, String id, String requires, Path sourceRoot, Path resourceRoot) {
        return build(dir, id, requires, sourceRoot, resourceRoot, Map.of());
    }

    /** With extra manifest entries, e.g. {@code Plugin-Permissions}. */
    public static Path build(Path dir, String id, String requires, Path sourceRoot, Path resourceRoot,
                             Map<String, String> manifestEntries) {
        try {
            Path classes = Files.createTempDirectory("plugin-classes-" + id);
            List<String> files;
            try (Stream<Path> walk = Files.walk(sourceRoot)) {
                files = walk.filter(p -> p.toString().endsWith(".java")).map(Path::toString).toList();
            }
            String classpath = System.getProperty("java.class.path");
            String pf4j = Stream.of(classpath.split(File.pathSeparator)).filter(p -> p.contains("pf4j")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("pf4j is not on the test class path"));
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-cp", classpath,
                    "-processorpath", pf4j, "-proc:full", "--release", "21", "-nowarn"));
            args.addAll(files);
            int status = javac.run(null, null, null, args.toArray(String[]::new));
            if (status != 0) {
                throw new IllegalStateException("javac failed for plugin " + id);
            }
            if (Files.isDirectory(resourceRoot)) {
                try (Stream<Path> walk = Files.walk(resourceRoot)) {
                    for (Path file : walk.filter(Files::isRegularFile).toList()) {
                        Path target = classes.resolve(resourceRoot.relativize(file).toString());
                        Files.createDirectories(target.getParent());
                        Files.copy(file, target);
                    }
                }
            }
            Manifest manifest = new Manifest();
            Attributes main = manifest.getMainAttributes();
            main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
            main.putValue("Plugin-Id", id);
            main.putValue("Plugin-Version", "1.0.0");
            main.putValue("Plugin-Requires", requires);
            manifestEntries.forEach(main::putValue);
            Files.createDirectories(dir);
            Path jar = dir.resolve(id + ".jar");
            try (OutputStream out = Files.newOutputStream(jar); var jarOut = new JarOutputStream(out, manifest);
                 Stream<Path> walk = Files.walk(classes)) {
                for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                    jarOut.putNextEntry(new JarEntry(classes.relativize(file).toString().replace(File.separatorChar, '/')));
                    Files.copy(file, jarOut);
                    jarOut.closeEntry();
                }
            }
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
