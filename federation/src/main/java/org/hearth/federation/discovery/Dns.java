package org.hearth.federation.discovery;

import java.util.List;

/** The DNS lookups server name resolution needs; a port so tests can answer without a DNS server. */
public interface Dns {

    /** An SRV record's target. */
    record SrvTarget(String host, int port, int priority, int weight) {}

    /** The SRV records of {@code name} (e.g. {@code _matrix-fed._tcp.example.org}); empty when there are none. */
    List<SrvTarget> srv(String name);
}
