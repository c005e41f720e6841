package org.hearth.core.media;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class AddressRangesTest {
    private static final AddressRanges DENIED = AddressRanges.parse(AddressRanges.DEFAULT_DENIED);

    private static boolean denied(String address) throws Exception {
        return DENIED.contains(InetAddress.getByName(address));
    }

    @Test
    void defaultListDeniesLoopbackPrivateLinkLocalAndMulticast() throws Exception {
        for (String a : new String[] {"127.0.0.1", "127.255.0.9", "10.0.0.1", "172.16.0.1", "172.31.255.255",
                "192.168.1.1", "169.254.169.254", "100.64.0.1", "224.0.0.1", "0.0.0.0", "::1", "::", "fe80::1",
                "fd00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.1.2.3"}) {
            assertTrue(denied(a), a);
        }
        for (String a : new String[] {"1.1.1.1", "8.8.8.8", "172.32.0.1", "192.169.0.1", "2606:4700::1111"}) {
            assertFalse(denied(a), a);
        }
    }

    @Test
    void prefixesAndErrors() throws Exception {
        AddressRanges r = AddressRanges.parse("127.0.0.2/32, 10.1.0.0/17");
        assertTrue(r.contains(InetAddress.getByName("127.0.0.2")));
        assertFalse(r.contains(InetAddress.getByName("127.0.0.3")));
        assertTrue(r.contains(InetAddress.getByName("10.1.127.1")));
        assertFalse(r.contains(InetAddress.getByName("10.1.128.1")));
        assertFalse(AddressRanges.parse("").contains(InetAddress.getByName("127.0.0.1")));
        assertThrows(IllegalArgumentException.class, () -> AddressRanges.parse("example.org"));
        assertThrows(IllegalArgumentException.class, () -> AddressRanges.parse("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> AddressRanges.parse("10.0.0.0/x"));
    }
}
