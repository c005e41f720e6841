package org.hearth.federation.client;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The IP ranges federation must not reach, so a remote server name cannot point our requests at the operator's
 * own network (Synapse's default {@code ip_range_blacklist}, plus the unspecified addresses): loopback, RFC 1918
 * private, CGNAT, link-local, documentation, benchmarking, multicast and their IPv6 equivalents. IPv4-mapped and
 * IPv4-compatible IPv6 addresses are judged by their IPv4 address.
 */
public final class AddressFilter {
    private static final List<Range> DENIED = List.of(
            Range.of("0.0.0.0/8"), Range.of("127.0.0.0/8"), Range.of("10.0.0.0/8"), Range.of("172.16.0.0/12"),
            Range.of("192.168.0.0/16"), Range.of("100.64.0.0/10"), Range.of("192.0.0.0/24"),
            Range.of("169.254.0.0/16"), Range.of("192.88.99.0/24"), Range.of("198.18.0.0/15"),
            Range.of("192.0.2.0/24"), Range.of("198.51.100.0/24"), Range.of("203.0.113.0/24"),
            Range.of("224.0.0.0/4"), Range.of("240.0.0.0/4"),
            Range.of("::/128"), Range.of("::1/128"), Range.of("fe80::/10"), Range.of("fc00::/7"),
            Range.of("2001:db8::/32"), Range.of("ff00::/8"), Range.of("fec0::/10"));

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
            return DENIED.stream().noneMatch(r -> r.contains(v4));
        }
        return DENIED.stream().noneMatch(r -> r.contains(a));
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

    private record Range(byte[] network, int prefix) {
        static Range of(String cidr) {
            int slash = cidr.indexOf('/');
            try {
                // Literals only: getByName does no lookup for them.
                InetAddress net = InetAddress.getByName(cidr.substring(0, slash));
                return new Range(net instanceof Inet4Address ? net.getAddress() : net.getAddress(),
                        Integer.parseInt(cidr.substring(slash + 1)));
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(cidr, e);
            }
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }
}
