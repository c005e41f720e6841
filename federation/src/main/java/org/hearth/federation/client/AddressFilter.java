package org.hearth.federation.client;

import java.net.Inet6Address;
import java.net.InetAddress;
import org.hearth.core.media.AddressRanges;

/**
 * The IP ranges federation must not reach, so a remote server name cannot point our requests at the operator's
 * own network (Synapse's default {@code ip_range_blacklist}, plus the unspecified addresses): loopback, RFC 1918
 * private, CGNAT, link-local, documentation, benchmarking, multicast and their IPv6 equivalents. IPv4-mapped and
 * IPv4-compatible IPv6 addresses are judged by their IPv4 address.
 */
public final class AddressFilter {
    // One list of ranges for every outbound fetch the operator's network must be shielded from (media previews too).
    private static final AddressRanges DENIED = AddressRanges.parse(AddressRanges.DEFAULT_DENIED);

    /** Denies the default ranges. */
    public static final AddressFilter DEFAULT = new AddressFilter(false);
    /** Allows everything: the test-network switch {@code federation.allow_private_addresses}. */
    public static final AddressFilter ALLOW_ALL = new AddressFilter(true);

    private final boolean allowAll;

    private AddressFilter(boolean allowAll) {
        this.allowAll = allowAll;
    }

    public static AddressFilter of(boolean allowPrivateAddresses) {
        return allowPrivateAddresses ? ALLOW_ALL : DEFAULT;
    }

    public boolean allows(InetAddress address) {
        if (allowAll) {
            return true;
        }
        byte[] a = address.getAddress();
        if (address instanceof Inet6Address && embeddedIpv4(a)) {
            byte[] v4 = new byte[] {a[12], a[13], a[14], a[15]};
            return !DENIED.contains(v4);
        }
        return !DENIED.contains(address);
    }

    // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated), but not :: and ::1 themselves.
    private static boolean embeddedIpv4(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        boolean mapped = a[10] == (byte) 0xff && a[11] == (byte) 0xff;
        boolean compatible = a[10] == 0 && a[11] == 0 && (a[12] != 0 || a[13] != 0 || a[14] != 0 || (a[15] & 0xfe) != 0);
        return mapped || compatible;
    }
}
