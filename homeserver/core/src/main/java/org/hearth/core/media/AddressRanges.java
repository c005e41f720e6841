package org.hearth.core.media;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** A list of IP ranges in CIDR notation ({@code 10.0.0.0/8}, {@code fc00::/7}); an address without prefix is /32 or /128. */
public final class AddressRanges {
    /**
     * Synapse's recommended {@code url_preview_ip_range_blacklist} plus the unspecified addresses: loopback,
     * private, carrier-grade NAT, link-local, multicast, documentation and benchmarking ranges.
     */
    public static final String DEFAULT_DENIED = "0.0.0.0/8, 127.0.0.0/8, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, "
            + "100.64.0.0/10, 192.0.0.0/24, 169.254.0.0/16, 192.88.99.0/24, 198.18.0.0/15, 192.0.2.0/24, "
            + "198.51.100.0/24, 203.0.113.0/24, 224.0.0.0/4, 240.0.0.0/4, ::/128, ::1/128, fe80::/10, fc00::/7, "
            + "2001:db8::/32, ff00::/8, fec0::/10";

    private record Range(byte[] network, int prefix) {
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

    private final List<Range> ranges;

    private AddressRanges(List<Range> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    /** Parses a comma-separated list (blank: none); IllegalArgumentException on a malformed entry. */
    public static AddressRanges parse(String text) {
        List<Range> ranges = new ArrayList<>();
        for (String item : text.split(",")) {
            String entry = item.strip();
            if (entry.isEmpty()) {
                continue;
            }
            int slash = entry.indexOf('/');
            String host = slash < 0 ? entry : entry.substring(0, slash);
            if (!host.matches("[0-9A-Fa-f:.]+")) {
                // Never resolve a name here: only literal addresses.
                throw new IllegalArgumentException("not an IP range: " + entry);
            }
            byte[] network;
            try {
                network = InetAddress.getByName(host).getAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an IP range: " + entry);
            }
            int prefix = network.length * 8;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(entry.substring(slash + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not an IP range: " + entry);
                }
                if (prefix < 0 || prefix > network.length * 8) {
                    throw new IllegalArgumentException("prefix out of range: " + entry);
                }
            }
            ranges.add(new Range(network, prefix));
        }
        return new AddressRanges(ranges);
    }

    public boolean contains(InetAddress address) {
        return contains(address.getAddress());
    }

    /** An address as its 4 (IPv4) or 16 (IPv6) bytes. */
    public boolean contains(byte[] address) {
        return ranges.stream().anyMatch(r -> r.contains(address));
    }
}
