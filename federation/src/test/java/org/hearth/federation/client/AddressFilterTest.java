package org.hearth.federation.client;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressFilterTest {
    private static InetAddress ip(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
            "100.64.0.1", "100.127.255.254", "169.254.169.254", "224.0.0.1", "239.255.255.250", "0.0.0.0",
            "192.0.2.5", "198.51.100.7", "203.0.113.9", "198.18.0.1", "255.255.255.255",
            "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "2001:db8::1", "fec0::1",
            "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::10.0.0.1"})
    void deniesLocalPrivateAndSpecialRangesByDefault(String address) throws UnknownHostException {
        assertFalse(AddressFilter.DEFAULT.allows(ip(address)), address);
        assertTrue(AddressFilter.of(true).allows(ip(address)), "the test-network switch lifts the list: " + address);
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "172.32.0.1", "172.15.255.255", "100.128.0.1", "192.169.0.1",
            "2606:4700:4700::1111", "2a00:1450::1", "::ffff:8.8.8.8"})
    void allowsPublicAddresses(String address) throws UnknownHostException {
        assertTrue(AddressFilter.DEFAULT.allows(ip(address)), address);
    }
}
