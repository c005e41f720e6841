package org.hearth.server.plugins;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.lang.reflect.Constructor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.hearth.plugin.api.EventCheck;
import org.hearth.plugin.api.EventObserver;
import org.hearth.plugin.api.ObservedEvent;
import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.PluginApi;
import org.hearth.plugin.api.PluginRoutes;
import org.hearth.plugin.api.ProposedEvent;
import org.hearth.plugin.api.ScheduledTask;
import org.hearth.plugin.api.ClientExtension;
import org.hearth.plugin.api.SyncExtension;
import org.hearth.plugin.api.WebPages;
import org.hearth.plugin.api.Verdict;
import org.hearth.spec.error.MatrixException;
import org.pf4j.DefaultPluginManager;
import org.pf4j.ExtensionFactory;
import org.pf4j.ManifestPluginDescriptorFinder;
import org.pf4j.PluginDescriptorFinder;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;

/**
 * Loads the plugin jars of one directory at start (PF4J) and runs every call into them on its own platform thread
 * with a time budget. PF4J's class loader is no sandbox: a call that overruns is abandoned (interrupted, its answer
 * ignored; a CPU loop keeps its thread, which is why calls never run on virtual threads, whose few carriers it would
 * pin), and a plugin whose calls fail or overrun {@code maxFailures} times in a row is disabled and logged. Unbounded
 * allocation cannot be contained in one JVM: run with {@code -XX:+ExitOnOutOfMemoryError} under a supervisor.
 */
public final class PluginHost implements AutoCloseable {
    private static final Logger LOG = System.getLogger(PluginHost.class.getName());

    /** What the admin endpoint shows of a plugin. */
    public enum State { STARTED, DISABLED, REFUSED, UNLOADED }

    /** One plugin as the host sees it. */
    public static final class Hosted {
        final String id;
        final String version;
        final Path path;
        final List<java.util.concurrent.ScheduledFuture<?>> schedules = new ArrayList<>();
        final List<EventCheck> checks = new ArrayList<>();
        final List<PluginRoutes.Route> routes = new ArrayList<>();
        final List<ScheduledTask> tasks = new ArrayList<>();
        final List<EventObserver> observers = new ArrayList<>();
        final Map<String, List<PluginRoutes.Route>> clientRoutes = new java.util.TreeMap<>();
        final List<NamedSync> syncExtensions = new ArrayList<>();
        final List<org.hearth.plugin.api.SyncAcknowledgement> acknowledgements = new ArrayList<>();
        final List<WebPages> webPages = new ArrayList<>();
        final List<PluginRoutes.Route> publicRoutes = new ArrayList<>();
        /** The paths under its public routes of the LiveKit services it offers ({@code RtcFocus}), asked at load. */
        final List<String> livekitPaths = new ArrayList<>();
        final List<NamedVisibility> visibilities = new ArrayList<>();
        /** What its manifest declared ({@code Plugin-Permissions}); empty when it declared nothing. */
        volatile List<String> permissions = List.of();
        final java.util.concurrent.Semaphore wake = new java.util.concurrent.Semaphore(0);
        volatile Thread feed;
        final AtomicInteger failuresInARow = new AtomicInteger();
        volatile State state;
        volatile String reason;

        Hosted(String id, String version, Path path, State state, String reason) {
            this.id = id;
            this.path = path;
            this.version = version;
            this.state = state;
            this.reason = reason;
        }

        public String id() {
            return id;
        }

        java.util.Set<String> namespaces() {
            java.util.Set<String> out = new java.util.TreeSet<>(clientRoutes.keySet());
            syncExtensions.forEach(e -> out.add(e.namespace()));
            return out;
        }

        public String version() {
            return version;
        }

        public State state() {
            return state;
        }

        public List<String> permissions() {
            return permissions;
        }

        /** Why it is refused or disabled; empty while started. */
        public Optional<String> reason() {
            return Optional.ofNullable(reason);
        }
    }

    /** A member visibility filter with its room type, asked once at load. */
    record NamedVisibility(String roomType, org.hearth.plugin.api.MemberVisibility filter) {}

    /** A sync extension with its namespace, asked once at load. */
    record NamedSync(String namespace, SyncExtension extension) {}

    /** Stored events in stream order, and each plugin's acknowledged position. */
    public interface EventLog {
        long currentPosition();

        /** Accepted events with {@code after < position <= currentPosition()}, oldest first. */
        List<ObservedEvent> after(long after, int limit);

        Optional<Long> acknowledged(String pluginId);

        void acknowledge(String pluginId, long position);
    }

    private static final int OBSERVER_BATCH = 100;
    private static final long OBSERVER_RETRY_MS = 1000;

    private static final java.util.regex.Pattern NAMESPACE = java.util.regex.Pattern.compile(
            "[a-z0-9_-]+(\\.[a-z0-9_-]+)+");

    private final Map<String, Hosted> plugins = new ConcurrentHashMap<>();
    private final Path dir;
    private final PluginTables tables;
    private final DeclaredPermissions permissions;
    /** Room types some started plugin governs the member visibility of; empty: nothing to ask. */
    private volatile java.util.Set<String> governedRoomTypes = java.util.Set.of();
    /** Started plugins' sync acknowledgement listeners: the sync path reads only this (empty: nothing to do). */
    private volatile List<Map.Entry<Hosted, org.hearth.plugin.api.SyncAcknowledgement>> acknowledgers = List.of();
    private volatile java.util.function.Supplier<String> clientBaseUrl;
    /** One queue for acknowledgements, off the request thread; full (a slow plugin) drops them: a later one covers. */
    private final java.util.concurrent.ThreadPoolExecutor acknowledgementQueue = new java.util.concurrent.ThreadPoolExecutor(
            1, 1, 0, java.util.concurrent.TimeUnit.MILLISECONDS, new java.util.concurrent.ArrayBlockingQueue<>(10_000),
            Thread.ofPlatform().daemon().name("plugin-sync-acks").factory(),
            new java.util.concurrent.ThreadPoolExecutor.DiscardPolicy());
    private final EventLog eventLog;
    private final Duration budget;
    private final int maxFailures;
    private final PluginManager manager;
    private final ExecutorService calls = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("plugin-call-", 0).factory());
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("plugin-timer").factory());

    /**
     * @param facades the {@link Homeserver} each plugin ID gets (its own config section and storage)
     */
    public PluginHost(Path dir, Duration budget, int maxFailures, Function<String, Homeserver> facades, EventLog eventLog,
                      PluginTables tables) {
        this(dir, budget, maxFailures, facades, eventLog, tables, new DeclaredPermissions());
    }

    /** @param permissions filled with each plugin's declared permissions at its load, for its facade to enforce */
    public PluginHost(Path dir, Duration budget, int maxFailures, Function<String, Homeserver> facades, EventLog eventLog,
                      PluginTables tables, DeclaredPermissions permissions) {
        this.permissions = permissions;
        this.dir = dir;
        this.tables = tables;
        this.eventLog = eventLog;
        this.budget = budget;
        this.maxFailures = maxFailures;
        Map<String, Homeserver> perPlugin = new ConcurrentHashMap<>();
        this.manager = new DefaultPluginManager(dir) {
            @Override
            protected PluginDescriptorFinder createPluginDescriptorFinder() {
                return new ManifestPluginDescriptorFinder();
            }

            @Override
            protected ExtensionFactory createExtensionFactory() {
                return new ExtensionFactory() {
                    @Override
                    public <T> T create(Class<T> type) {
                        PluginWrapper owner = whichPlugin(type);
                        String id = owner == null ? "" : owner.getPluginId();
                        return construct(type, perPlugin.computeIfAbsent(id, facades));
                    }
                };
            }
        };
        if (!Files.isDirectory(dir)) {
            LOG.log(Level.INFO, "no plugin directory " + dir + ": no plugins");
            return;
        }
        manager.loadPlugins();
        for (PluginWrapper wrapper : manager.getPlugins()) {
            start(wrapper);
        }
    }

    private static <T> T construct(Class<T> type, Homeserver homeserver) {
        try {
            try {
                Constructor<T> withFacade = type.getDeclaredConstructor(Homeserver.class);
                withFacade.setAccessible(true);
                return withFacade.newInstance(homeserver);
            } catch (NoSuchMethodException e) {
                Constructor<T> plain = type.getDeclaredConstructor();
                plain.setAccessible(true);
                return plain.newInstance();
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create extension " + type.getName() + ": " + e, e);
        }
    }

    private void start(PluginWrapper wrapper) {
        String id = wrapper.getPluginId();
        String version = wrapper.getDescriptor().getVersion();
        String requires = wrapper.getDescriptor().getRequires();
        if (requires == null || requires.isBlank() || requires.equals("*")) {
            refuse(wrapper, "its manifest has no Plugin-Requires (the plugin API versions it works with)");
            return;
        }
        boolean fits;
        try {
            fits = manager.getVersionManager().checkVersionConstraint(PluginApi.VERSION, requires);
        } catch (RuntimeException e) {
            fits = false;
        }
        if (!fits) {
            refuse(wrapper, "it requires plugin API " + requires + " and this server has " + PluginApi.VERSION);
            return;
        }
        try {
            permissions.read(id, wrapper.getPluginPath());
        } catch (IllegalArgumentException e) {
            refuse(wrapper, "its Plugin-Permissions: " + e.getMessage());
            return;
        }
        if (permissions.of(id).isEmpty()) {
            LOG.log(Level.WARNING, "plugin " + id + " declares no Plugin-Permissions: it may act as any local user");
        }
        try {
            int migrated = tables.migrate(id, wrapper.getPluginPath());
            if (migrated > 0) {
                LOG.log(Level.INFO, "plugin " + id + ": applied " + migrated + " migrations");
            }
        } catch (RuntimeException e) {
            refuse(wrapper, e.getMessage());
            return;
        }
        try {
            PluginState state = manager.startPlugin(id);
            if (state != PluginState.STARTED) {
                refuse(wrapper, "PF4J left it " + state);
                return;
            }
            Hosted hosted = new Hosted(id, version, wrapper.getPluginPath(), State.STARTED, null);
            hosted.permissions = permissions.of(id).map(p -> p.actAs().stream().map(a -> "act-as:" + a).toList())
                    .orElse(List.of());
            hosted.checks.addAll(manager.getExtensions(EventCheck.class, id));
            for (PluginRoutes routes : manager.getExtensions(PluginRoutes.class, id)) {
                hosted.routes.addAll(routes.routes());
            }
            hosted.tasks.addAll(manager.getExtensions(ScheduledTask.class, id));
            hosted.observers.addAll(manager.getExtensions(EventObserver.class, id));
            for (ClientExtension extension : manager.getExtensions(ClientExtension.class, id)) {
                hosted.clientRoutes.computeIfAbsent(extension.namespace(), n -> new ArrayList<>()).addAll(extension.routes());
            }
            hosted.acknowledgements.addAll(manager.getExtensions(org.hearth.plugin.api.SyncAcknowledgement.class, id));
            for (SyncExtension extension : manager.getExtensions(SyncExtension.class, id)) {
                hosted.syncExtensions.add(new NamedSync(extension.namespace(), extension));
            }
            hosted.webPages.addAll(manager.getExtensions(WebPages.class, id));
            for (var extension : manager.getExtensions(org.hearth.plugin.api.PublicRoutes.class, id)) {
                hosted.publicRoutes.addAll(extension.routes());
            }
            for (var focus : manager.getExtensions(org.hearth.plugin.api.RtcFocus.class, id)) {
                focus.livekitServicePath().ifPresent(path ->
                        hosted.livekitPaths.add(path.startsWith("/") ? path : "/" + path));
            }
            for (var filter : manager.getExtensions(org.hearth.plugin.api.MemberVisibility.class, id)) {
                String type = filter.roomType();
                if (type == null || type.isBlank()) {
                    throw new IllegalStateException("member visibility " + filter.getClass().getName() + " names no room type");
                }
                hosted.visibilities.add(new NamedVisibility(type, filter));
            }
            String clash = namespaceClash(hosted);
            if (clash != null) {
                manager.stopPlugin(id);
                refuse(wrapper, clash);
                return;
            }
            plugins.put(id, hosted);
            governedChanged();
            if (!hosted.observers.isEmpty()) {
                if (eventLog.acknowledged(id).isEmpty()) {
                    eventLog.acknowledge(id, eventLog.currentPosition()); // a new plugin starts from now
                }
                hosted.feed = Thread.ofPlatform().daemon().name("plugin-observer-" + id).start(() -> feed(hosted));
            }
            for (ScheduledTask task : hosted.tasks) {
                long every = Math.max(1000, task.interval().toMillis());
                hosted.schedules.add(timer.scheduleWithFixedDelay(() -> {
                    if (hosted.state == State.STARTED) {
                        call(hosted, () -> {
                            task.run();
                            return Boolean.TRUE; // null would count as a failed call
                        });
                    }
                }, every, every, TimeUnit.MILLISECONDS));
            }
            LOG.log(Level.INFO, "plugin " + id + " " + version + " started: " + hosted.checks.size() + " event checks, "
                    + hosted.observers.size() + " event observers, " + hosted.routes.size() + " routes, " + hosted.tasks.size()
                    + " scheduled tasks");
        } catch (RuntimeException | LinkageError e) {
            refuse(wrapper, "it failed to start: " + e);
        }
    }

    /** Why the plugin's namespaces cannot be served (malformed, or another loaded plugin's), or null. */
    private String namespaceClash(Hosted hosted) {
        java.util.Set<String> mine = new java.util.TreeSet<>(hosted.clientRoutes.keySet());
        hosted.syncExtensions.forEach(e -> mine.add(e.namespace()));
        for (String namespace : mine) {
            if (namespace == null || !NAMESPACE.matcher(namespace).matches()) {
                return "its namespace " + namespace + " is not a reverse-DNS name (lower case, with a dot)";
            }
            for (Hosted other : plugins.values()) {
                if (!other.id.equals(hosted.id) && other.state != State.REFUSED && other.state != State.UNLOADED
                        && other.namespaces().contains(namespace)) {
                    return "its namespace " + namespace + " is already declared by plugin " + other.id;
                }
            }
        }
        return null;
    }

    private void governedChanged() {
        java.util.Set<String> types = new java.util.HashSet<>();
        // A disabled plugin still governs its rooms (hiding all but the viewer): privacy first.
        plugins.values().stream().filter(p -> p.state == State.STARTED || p.state == State.DISABLED)
                .forEach(p -> p.visibilities.forEach(v -> types.add(v.roomType())));
        governedRoomTypes = java.util.Set.copyOf(types);
        List<Map.Entry<Hosted, org.hearth.plugin.api.SyncAcknowledgement>> listeners = new ArrayList<>();
        plugins.values().stream().filter(p -> p.state == State.STARTED)
                .forEach(p -> p.acknowledgements.forEach(a -> listeners.add(Map.entry(p, a))));
        acknowledgers = List.copyOf(listeners);
    }

    /**
     * A device acknowledged a sync answer up to {@code roomsPosition}: queued for the started plugins listening, each
     * called within its budget. With none listening it costs one volatile read.
     */
    public void acknowledged(String user, String deviceId, long roomsPosition) {
        var listeners = acknowledgers;
        if (listeners.isEmpty()) {
            return;
        }
        var acknowledgement = new org.hearth.plugin.api.SyncAcknowledgement.Acknowledgement(user,
                deviceId == null ? "" : deviceId, roomsPosition);
        acknowledgementQueue.execute(() -> {
            for (var listener : listeners) {
                Hosted hosted = listener.getKey();
                if (hosted.state != State.STARTED) {
                    continue;
                }
                try {
                    call(hosted, () -> {
                        listener.getValue().acknowledged(acknowledgement);
                        return Boolean.TRUE;
                    });
                } catch (MatrixException e) {
                    failed(hosted, "sync acknowledgement threw " + e.code().errcode());
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "plugin " + hosted.id + " sync acknowledgement: " + e);
                }
            }
        });
    }

    /** Room types whose member visibility a started plugin governs (cheap: read on every member read path). */
    public java.util.Set<String> governedRoomTypes() {
        return governedRoomTypes;
    }

    /**
     * What {@code viewer} may see of the members of a room of {@code roomType}: empty for everyone, else the users
     * (the viewer included). Every governing plugin is asked and their answers intersected; one that fails or
     * overruns hides every member but the viewer.
     */
    public Optional<java.util.Set<String>> visibleMembers(String roomType, String roomId, String viewer) {
        java.util.Set<String> visible = null;
        for (Hosted hosted : plugins.values()) {
            for (NamedVisibility named : hosted.visibilities) {
                if ((hosted.state != State.STARTED && hosted.state != State.DISABLED)
                        || !named.roomType().equals(roomType)) {
                    continue;
                }
                java.util.Set<String> these = switch (ask(hosted, named, roomId, viewer).orElse(null)) {
                    case null -> java.util.Set.of(viewer);
                    case org.hearth.plugin.api.MemberVisibility.Everyone everyone -> null;
                    case org.hearth.plugin.api.MemberVisibility.Only only -> only.users();
                };
                if (these != null) {
                    java.util.Set<String> next = new java.util.HashSet<>(these);
                    if (visible != null) {
                        next.retainAll(visible);
                    }
                    next.add(viewer);
                    visible = next;
                }
            }
        }
        return Optional.ofNullable(visible);
    }

    /** A started plugin's answer; empty when it fails, overruns, or is disabled. */
    private Optional<org.hearth.plugin.api.MemberVisibility.Visible> ask(Hosted hosted, NamedVisibility named,
                                                                         String roomId, String viewer) {
        if (hosted.state != State.STARTED) {
            return Optional.empty();
        }
        try {
            return call(hosted, () -> named.filter().visibleTo(roomId, viewer));
        } catch (MatrixException e) {
            failed(hosted, "member visibility threw " + e.code().errcode());
            return Optional.empty();
        }
    }

    /** Where clients reach this server (set once the listeners are bound): plugins' LiveKit foci are under it. */
    public void useClientBaseUrl(java.util.function.Supplier<String> baseUrl) {
        this.clientBaseUrl = baseUrl;
    }

    /** The LiveKit token services started plugins offer ({@code RtcFocus}), as absolute URLs; none before wiring. */
    public List<String> livekitServiceUrls() {
        var baseUrl = clientBaseUrl;
        if (baseUrl == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Hosted p : plugins.values()) {
            if (p.state == State.STARTED) {
                for (String path : p.livekitPaths) {
                    String base = baseUrl.get();
                    out.add((base.endsWith("/") ? base.substring(0, base.length() - 1) : base)
                            + "/_hearth/plugins/" + p.id + "/public" + path);
                }
            }
        }
        return out;
    }

    /** The started plugin serving client-API extensions of {@code namespace}. */
    public Optional<Hosted> clientExtension(String namespace) {
        return plugins.values().stream().filter(p -> p.state == State.STARTED && p.clientRoutes.containsKey(namespace))
                .findFirst();
    }

    /**
     * The started plugins' extra {@code /sync} data, namespace to object; nothing asked when no plugin has any. A
     * failing or overrunning extension adds nothing.
     */
    public Map<String, jakarta.json.JsonObject> syncExtras(SyncExtension.SyncRequest request) {
        Map<String, jakarta.json.JsonObject> out = new java.util.TreeMap<>();
        for (Hosted hosted : plugins.values()) {
            for (NamedSync named : hosted.syncExtensions) {
                if (hosted.state != State.STARTED) {
                    continue;
                }
                try {
                    call(hosted, () -> named.extension().sync(request)).flatMap(o -> o)
                            .ifPresent(o -> out.put(named.namespace(), o));
                } catch (MatrixException e) {
                    failed(hosted, "sync extension threw " + e.code().errcode());
                }
            }
        }
        return out;
    }

    /**
     * Loads a jar newly copied into the plugin directory and starts it; an already known plugin is reloaded.
     * {@code M_INVALID_PARAM} for a name that is not a {@code .jar} file directly in the directory.
     */
    public synchronized Hosted load(String fileName) {
        Path jar = dir.resolve(fileName).normalize();
        if (!fileName.endsWith(".jar") || fileName.contains("/") || fileName.contains("\\")
                || !jar.getParent().equals(dir.normalize()) || !Files.isRegularFile(jar)) {
            throw new MatrixException(org.hearth.spec.error.ErrorCode.INVALID_PARAM,
                    "No plugin jar " + fileName + " in the plugin directory");
        }
        for (Hosted known : plugins.values()) {
            if (known.path != null && known.path.normalize().equals(jar)) {
                return reload(known.id);
            }
        }
        String loaded;
        try {
            loaded = manager.loadPlugin(jar);
        } catch (RuntimeException e) {
            throw new MatrixException(org.hearth.spec.error.ErrorCode.INVALID_PARAM, "Cannot load " + fileName + ": "
                    + e.getMessage());
        }
        Hosted previous = plugins.get(loaded);
        if (previous != null && previous.state != State.UNLOADED && previous.state != State.REFUSED) {
            manager.unloadPlugin(loaded);
            throw new MatrixException(org.hearth.spec.error.ErrorCode.INVALID_PARAM, "A plugin " + loaded
                    + " is already loaded from " + previous.path.getFileName());
        }
        start(manager.getPlugin(loaded));
        return plugins.get(loaded);
    }

    private void refuse(PluginWrapper wrapper, String reason) {
        String id = wrapper.getPluginId();
        String version = wrapper.getDescriptor().getVersion();
        LOG.log(Level.WARNING, "plugin " + id + " " + version + " not loaded: " + reason);
        plugins.put(id, new Hosted(id, version, wrapper.getPluginPath(), State.REFUSED, reason));
        try {
            manager.unloadPlugin(id);
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "unloading refused plugin " + id + ": " + e);
        }
    }

    /**
     * Stops a plugin and drops its class loader: its routes answer 404 and its checks and observers are no longer
     * called (a call in flight finishes or overruns on its own). {@code M_NOT_FOUND} for an unknown ID.
     */
    public synchronized Hosted unload(String id) {
        Hosted hosted = plugin(id).orElseThrow(() -> new MatrixException(
                org.hearth.spec.error.ErrorCode.NOT_FOUND, "No plugin " + id));
        hosted.state = State.UNLOADED;
        hosted.reason = "unloaded by an admin";
        governedChanged();
        hosted.schedules.forEach(f -> f.cancel(true));
        if (hosted.feed != null) {
            hosted.feed.interrupt();
        }
        if (manager.getPlugin(id) != null) {
            manager.unloadPlugin(id);
        }
        LOG.log(Level.INFO, "plugin " + id + " unloaded");
        return hosted;
    }

    /**
     * Unloads the plugin, then loads its jar again from the same file (so a replaced jar takes effect) and starts
     * it, with its failure count cleared. Observers resume after their acknowledged position.
     */
    public synchronized Hosted reload(String id) {
        Hosted old = unload(id);
        plugins.remove(id);
        String loaded;
        try {
            loaded = manager.loadPlugin(old.path);
        } catch (RuntimeException e) {
            Hosted failed = new Hosted(id, old.version, old.path, State.REFUSED, "reload failed: " + e.getMessage());
            plugins.put(id, failed);
            return failed;
        }
        start(manager.getPlugin(loaded));
        return plugins.get(loaded);
    }

    /** Told after each commit of room events: wakes the observers' feeds. */
    public void eventsPersisted() {
        for (Hosted hosted : plugins.values()) {
            if (hosted.feed != null) {
                hosted.wake.release();
            }
        }
    }

    /**
     * Delivers events after the plugin's acknowledged position to its observers, acknowledging each once every
     * observer returned; a failure stops the batch, to be retried from the acknowledged position.
     */
    private void feed(Hosted hosted) {
        try {
            while (hosted.state == State.STARTED) {
                boolean failed = !deliver(hosted);
                if (failed) {
                    Thread.sleep(OBSERVER_RETRY_MS);
                } else {
                    // Woken by a commit; the timeout also catches a wake-up lost to a failure in between.
                    hosted.wake.tryAcquire(5, TimeUnit.SECONDS);
                    hosted.wake.drainPermits();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return false after a failure */
    private boolean deliver(Hosted hosted) {
        try {
            long from = eventLog.acknowledged(hosted.id).orElse(0L);
            while (hosted.state == State.STARTED) {
                List<ObservedEvent> batch = eventLog.after(from, OBSERVER_BATCH);
                if (batch.isEmpty()) {
                    return true;
                }
                for (ObservedEvent event : batch) {
                    for (EventObserver observer : hosted.observers) {
                        Optional<Boolean> done;
                        try {
                            done = call(hosted, () -> {
                                observer.observe(event);
                                return Boolean.TRUE;
                            });
                        } catch (MatrixException e) {
                            failed(hosted, "threw " + e.code().errcode() + " " + e.getMessage());
                            done = Optional.empty();
                        }
                        if (done.isEmpty()) {
                            return false;
                        }
                    }
                    eventLog.acknowledge(hosted.id, event.streamPosition());
                    from = event.streamPosition();
                }
            }
            return true;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "delivering events to plugin " + hosted.id + ": " + e);
            return false;
        }
    }

    public List<Hosted> plugins() {
        return plugins.values().stream().sorted(java.util.Comparator.comparing(Hosted::id)).toList();
    }

    public Optional<Hosted> plugin(String id) {
        return Optional.ofNullable(plugins.get(id));
    }

    /**
     * Asks every started plugin's checks about an event; the first refusal wins. A check that throws or overruns
     * counts as a failure and allows the event.
     */
    public Verdict check(ProposedEvent event) {
        for (Hosted hosted : plugins.values()) {
            for (EventCheck check : hosted.checks) {
                if (hosted.state != State.STARTED || (!event.local() && !check.checksFederatedEvents())) {
                    continue;
                }
                Optional<Verdict> verdict = call(hosted, () -> check.check(event));
                if (verdict.isPresent() && verdict.get() instanceof Verdict.Refuse refuse) {
                    return refuse;
                }
            }
        }
        return Verdict.ALLOW;
    }

    /**
     * Runs {@code work} within the budget. A {@link MatrixException} is the plugin's answer and passes through; any
     * other throw, a null answer or an overrun is a failure and yields empty.
     */
    <T> Optional<T> call(Hosted hosted, Callable<T> work) {
        Future<T> future = calls.submit(work);
        try {
            T result = future.get(budget.toMillis(), TimeUnit.MILLISECONDS);
            if (result == null) {
                failed(hosted, "returned null");
                return Optional.empty();
            }
            hosted.failuresInARow.set(0);
            return Optional.of(result);
        } catch (TimeoutException e) {
            future.cancel(true);
            failed(hosted, "overran its " + budget.toMillis() + " ms budget");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof MatrixException answer) {
                hosted.failuresInARow.set(0);
                throw answer;
            }
            failed(hosted, "threw " + e.getCause());
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
        }
        return Optional.empty();
    }

    private void failed(Hosted hosted, String what) {
        int n = hosted.failuresInARow.incrementAndGet();
        LOG.log(Level.WARNING, "plugin " + hosted.id + " " + what + " (" + n + " failures in a row)");
        if (n >= maxFailures && hosted.state == State.STARTED) {
            hosted.state = State.DISABLED;
            hosted.reason = "disabled after " + n + " failures in a row; last: " + what;
            governedChanged();
            LOG.log(Level.ERROR, "plugin " + hosted.id + " " + hosted.reason);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        for (Hosted hosted : plugins.values()) {
            if (hosted.feed != null) {
                hosted.feed.interrupt();
            }
        }
        // One by one: PF4J 3.15's stopPlugins() throws ConcurrentModificationException (pf4j#656).
        for (PluginWrapper wrapper : List.copyOf(manager.getPlugins())) {
            try {
                manager.unloadPlugin(wrapper.getPluginId());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "unloading plugin " + wrapper.getPluginId() + ": " + e);
            }
        }
        calls.shutdownNow();
        acknowledgementQueue.shutdownNow();
    }
}
