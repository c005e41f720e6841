package org.hearth.plugins.receipts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.KeyValueStore;
import org.hearth.plugin.api.ObservedEvent;
import org.hearth.plugin.api.SyncAcknowledgement;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;

/**
 * The two halves of delivery in either order: the observer that records a message for its members runs behind the
 * request that made it, so a member's device may acknowledge a sync past the message before the observer saw it.
 * DeliveryReceiptsIT covers the usual order over HTTP; this one forces the other, which no HTTP test can.
 */
class DeliveryOrderTest {
    private static final String ROOM = "!room:hs";
    private final ConcurrentSkipListMap<String, JsonObject> kv = new ConcurrentSkipListMap<>();
    private final List<String> receipts = new ArrayList<>();
    private final Homeserver homeserver = (Homeserver) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {Homeserver.class}, (proxy, method, args) -> switch (method.getName()) {
                case "serverName" -> "hs";
                case "store" -> store();
                case "joinedMembers" -> List.of("@alice:hs", "@bob:hs");
                case "sendReceipt" -> {
                    receipts.add(args[1] + " " + args[2] + " " + args[3]);
                    yield null;
                }
                default -> throw new UnsupportedOperationException(method.getName());
            });

    private KeyValueStore store() {
        return new KeyValueStore() {
            public Optional<JsonObject> get(String key) {
                return Optional.ofNullable(kv.get(key));
            }

            public void put(String key, JsonObject value) {
                kv.put(key, value);
            }

            public boolean delete(String key) {
                return kv.remove(key) != null;
            }

            public boolean replace(String key, JsonObject expected, JsonObject value) {
                return kv.replace(key, expected, value);
            }

            public Map<String, JsonObject> list(String prefix, int limit) {
                Map<String, JsonObject> out = new TreeMap<>();
                kv.tailMap(prefix).entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).limit(limit)
                        .forEach(e -> out.put(e.getKey(), e.getValue()));
                return out;
            }
        };
    }

    private static ObservedEvent message(long position, String id) {
        return new ObservedEvent(position, id, ROOM, "@alice:hs", "m.room.message", Optional.empty(),
                Json.objectBuilder().add("msgtype", "m.text").add("body", "hi").build());
    }

    @Test
    void anAcknowledgementBeforeTheObserverSawTheMessageStillMarksItDelivered() {
        var acknowledgements = new DeliveryAcknowledgements(homeserver);
        var tracker = new DeliveryTracker(homeserver);
        acknowledgements.acknowledged(new SyncAcknowledgement.Acknowledgement("@bob:hs", "DEV", 10));
        assertTrue(receipts.isEmpty());

        tracker.observe(message(9, "$m9"));
        assertEquals(List.of("@bob:hs org.hearth.delivered $m9"), receipts);
        assertTrue(kv.keySet().stream().noneMatch(k -> k.startsWith("pending|")), kv.toString());
    }

    @Test
    void theUsualOrderAndAMessagePastTheAcknowledgementWaitForTheNext() {
        var acknowledgements = new DeliveryAcknowledgements(homeserver);
        var tracker = new DeliveryTracker(homeserver);
        acknowledgements.acknowledged(new SyncAcknowledgement.Acknowledgement("@bob:hs", "DEV", 10));
        tracker.observe(message(11, "$m11"));
        assertTrue(receipts.isEmpty(), "not acknowledged yet: " + receipts);

        acknowledgements.acknowledged(new SyncAcknowledgement.Acknowledgement("@bob:hs", "DEV", 12));
        assertEquals(List.of("@bob:hs org.hearth.delivered $m11"), receipts);
    }

    @Test
    void aUserWithDeliveryReceiptsOffSendsNoneInEitherOrder() {
        var acknowledgements = new DeliveryAcknowledgements(homeserver);
        var tracker = new DeliveryTracker(homeserver);
        new DeliveryLedger(homeserver).setDeliveryReceipts("@bob:hs", false);
        acknowledgements.acknowledged(new SyncAcknowledgement.Acknowledgement("@bob:hs", "DEV", 10));
        tracker.observe(message(9, "$m9"));
        acknowledgements.acknowledged(new SyncAcknowledgement.Acknowledgement("@bob:hs", "DEV", 12));
        assertTrue(receipts.isEmpty(), receipts.toString());
    }
}
