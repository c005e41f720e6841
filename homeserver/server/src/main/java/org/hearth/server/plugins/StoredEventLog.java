package org.hearth.server.plugins;

import java.util.List;
import java.util.Optional;
import org.hearth.core.plugin.PluginStorage;
import org.hearth.core.room.RoomReader;
import org.hearth.plugin.api.ObservedEvent;

/** The room events the observers are fed, read through the room reader, and their acknowledged positions. */
public final class StoredEventLog implements PluginHost.EventLog {
    private final PluginStorage storage;
    private final RoomReader reader;

    public StoredEventLog(PluginStorage storage, RoomReader reader) {
        this.storage = storage;
        this.reader = reader;
    }

    @Override
    public long currentPosition() {
        return reader.currentPosition();
    }

    @Override
    public List<ObservedEvent> after(long after, int limit) {
        // Capped at the reader's position: below it every event is committed, so none is skipped for good.
        return storage.eventsAfter(after, reader.currentPosition(), limit).stream()
                .flatMap(id -> reader.event(id).stream())
                .map(e -> new ObservedEvent(e.streamOrdering(), e.eventId(), e.roomId(), e.sender(), e.type(),
                        e.stateKey(), e.pdu().content()))
                .toList();
    }

    @Override
    public Optional<Long> acknowledged(String pluginId) {
        return storage.position(pluginId);
    }

    @Override
    public void acknowledge(String pluginId, long position) {
        storage.acknowledge(pluginId, position);
    }
}
