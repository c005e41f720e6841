package org.hearth.server.plugins;

import jakarta.json.JsonObject;
import java.util.Map;
import org.hearth.plugin.api.ProposedEvent;
import org.hearth.plugin.api.Verdict;
import org.hearth.server.client.EventGate;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/** Glue between the host and the server's wiring: the send path's gate, and config sections as JSON. */
public final class PluginGates {
    private PluginGates() {}

    /** Plugins' event checks on clients' sends: a refusal becomes the plugin's Matrix error, nothing stored. */
    public static EventGate eventGate(PluginHost host, String serverName) {
        return (room, sender, type, stateKey, content) -> {
            var event = new ProposedEvent(room.value(), sender.value(), type, stateKey, content,
                    sender.serverName().value().equals(serverName));
            if (host.check(event) instanceof Verdict.Refuse refuse) {
                throw new MatrixException(refuse.errcode(), refuse.message());
            }
        };
    }

    /** Plugins' extra {@code /sync} data as top-level keys named by their namespaces. */
    public static org.hearth.server.client.SyncRoutes.SyncExtras syncExtras(PluginHost host) {
        return (who, initial, response) -> {
            Map<String, JsonObject> extras = host.syncExtras(new org.hearth.plugin.api.SyncExtension.SyncRequest(
                    who.userId().value(), who.deviceId() == null ? "" : who.deviceId(), initial));
            if (extras.isEmpty()) {
                return response;
            }
            var out = Json.objectBuilder(response);
            extras.forEach((namespace, data) -> {
                if (!response.containsKey(namespace)) {
                    out.add(namespace, data);
                }
            });
            return out.build();
        };
    }

    /**
     * Plugins' member visibility for the core's read paths. With no plugin governing a room type it answers at once;
     * otherwise it reads the room's type (cached: a room's type never changes) and asks only for governed rooms.
     */
    public static org.hearth.core.port.MemberViews memberViews(PluginHost host, org.hearth.core.room.RoomReader reader) {
        Map<org.hearth.spec.id.RoomId, String> types = java.util.Collections.synchronizedMap(
                new java.util.LinkedHashMap<>(256, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<org.hearth.spec.id.RoomId, String> eldest) {
                        return size() > 10_000;
                    }
                });
        return (room, viewer) -> {
            java.util.Set<String> governed = host.governedRoomTypes();
            if (governed.isEmpty()) {
                return java.util.Optional.empty();
            }
            String type = types.get(room);
            if (type == null) {
                var create = reader.currentStateEvent(room, "m.room.create", "");
                if (create.isEmpty()) {
                    return java.util.Optional.empty();
                }
                type = create.get().pdu().content().getString("type", "");
                types.put(room, type);
            }
            return governed.contains(type) ? host.visibleMembers(type, room.value(), viewer.value())
                    : java.util.Optional.empty();
        };
    }

    /** {@code a.b: v} as {@code {"a": {"b": "v"}}}. */
    public static JsonObject section(Map<String, String> flat) {
        Map<String, Object> tree = new java.util.TreeMap<>();
        flat.forEach((key, value) -> {
            String[] parts = key.split("\\.");
            Map<String, Object> node = tree;
            for (int i = 0; i < parts.length - 1; i++) {
                Object child = node.computeIfAbsent(parts[i], k -> new java.util.TreeMap<String, Object>());
                if (!(child instanceof Map)) {
                    return; // a key both a value and a section: the value wins
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> next = (Map<String, Object>) child;
                node = next;
            }
            node.put(parts[parts.length - 1], value);
        });
        return toJson(tree);
    }

    @SuppressWarnings("unchecked")
    private static JsonObject toJson(Map<String, Object> tree) {
        var out = Json.objectBuilder();
        tree.forEach((k, v) -> {
            if (v instanceof Map) {
                out.add(k, toJson((Map<String, Object>) v));
            } else {
                out.add(k, (String) v);
            }
        });
        return out.build();
    }
}
