package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DeviceRoutesIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();

    @Test
    void listGetRename() {
        var ivy = server.register("ivy");
        var devices = ivy.get("/_matrix/client/v3/devices").assertStatus(200).json().getJsonArray("devices");
        assertEquals(1, devices.size());
        var device = devices.getJsonObject(0);
        assertEquals(ivy.deviceId(), device.getString("device_id"));
        assertTrue(device.containsKey("last_seen_ts"));
        assertEquals("127.0.0.1", device.getString("last_seen_ip"));

        ivy.put("/_matrix/client/v3/devices/" + ivy.deviceId(), json("display_name", "Desk")).assertStatus(200);
        ivy.put("/_matrix/client/v3/devices/" + ivy.deviceId(), json("display_name", "Desk")).assertStatus(200);
        assertEquals("Desk", ivy.get("/_matrix/client/r0/devices/" + ivy.deviceId()).assertStatus(200).json().getString("display_name"));
        ivy.get("/_matrix/client/v3/devices/NOSUCH").assertError(404, "M_NOT_FOUND");
        ivy.put("/_matrix/client/v3/devices/NOSUCH", json("display_name", "x")).assertError(404, "M_NOT_FOUND");
    }

    @Test
    void deviceChangesReachThePortAndLongNamesAreRefused() {
        var changed = new java.util.concurrent.CopyOnWriteArrayList<String>();
        server.server().accounts().deviceChanges().set(user -> changed.add(user.value()));
        try {
            var uma = server.register("uma");
            var other = server.login("uma", TestServer.DEFAULT_PASSWORD);
            uma.put("/_matrix/client/v3/devices/" + uma.deviceId(), json("display_name", "x".repeat(101)))
                    .assertError(400, "M_INVALID_PARAM");
            other.post("/_matrix/client/v3/logout", json()).assertStatus(200);
            assertEquals(java.util.List.of(uma.userId(), uma.userId(), uma.userId()), changed);
        } finally {
            server.server().accounts().deviceChanges().set(org.hearth.core.port.DeviceChanges.NONE);
        }
    }

    @Test
    void otherUsersDevicesAreInvisible() {
        var jay = server.register("jay");
        var kim = server.register("kim");
        kim.get("/_matrix/client/v3/devices/" + jay.deviceId()).assertError(404, "M_NOT_FOUND");
    }

    @Test
    void deleteNeedsUia() {
        var lee = server.register("lee");
        var phone = server.login("lee", TestServer.DEFAULT_PASSWORD);
        var first = lee.delete("/_matrix/client/v3/devices/" + phone.deviceId());
        assertEquals(401, first.status(), first.body());
        lee.delete("/_matrix/client/v3/devices/" + phone.deviceId(), json("auth", json("type", "m.login.password",
                "identifier", json("type", "m.id.user", "user", "lee"), "password", TestServer.DEFAULT_PASSWORD,
                "session", first.json().getString("session")))).assertStatus(200);
        phone.get("/_matrix/client/v3/account/whoami").assertError(401, "M_UNKNOWN_TOKEN");
        lee.get("/_matrix/client/v3/devices/" + phone.deviceId()).assertError(404, "M_NOT_FOUND");
        lee.delete("/_matrix/client/v3/devices/NOSUCH").assertError(404, "M_NOT_FOUND");
    }

    @Test
    void deleteDevicesInOneGo() {
        var max = server.register("max");
        var a = server.login("max", TestServer.DEFAULT_PASSWORD);
        var b = server.login("max", TestServer.DEFAULT_PASSWORD);
        var list = jakarta.json.Json.createArrayBuilder().add(a.deviceId()).add(b.deviceId()).add("UNKNOWN");
        var first = max.post("/_matrix/client/v3/delete_devices", json("devices", list));
        assertEquals(401, first.status(), first.body());
        max.post("/_matrix/client/v3/delete_devices", json("devices", jakarta.json.Json.createArrayBuilder()
                .add(a.deviceId()).add(b.deviceId()).add("UNKNOWN"), "auth", json("type", "m.login.password", "user", "max",
                "password", TestServer.DEFAULT_PASSWORD, "session", first.json().getString("session")))).assertStatus(200);
        a.get("/_matrix/client/v3/account/whoami").assertError(401, "M_UNKNOWN_TOKEN");
        b.get("/_matrix/client/v3/account/whoami").assertError(401, "M_UNKNOWN_TOKEN");
        assertEquals(1, max.get("/_matrix/client/v3/devices").json().getJsonArray("devices").size());
        max.post("/_matrix/client/v3/delete_devices", json("devices", "x")).assertError(400, "M_BAD_JSON");
        max.post("/_matrix/client/v3/delete_devices", json()).assertError(400, "M_MISSING_PARAM");
    }
}
