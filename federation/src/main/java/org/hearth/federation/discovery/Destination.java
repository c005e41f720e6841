package org.hearth.federation.discovery;

/**
 * Where to send a server's federation requests (spec: Server-Server API, "Resolving server names").
 *
 * @param connectHost the host to connect to: an IP literal (IPv6 without brackets) or a DNS name still to be
 *                    resolved to AAAA/A records
 * @param port        the TCP port
 * @param hostHeader  the {@code Host} header to send
 * @param tlsName     the name the server's certificate must be valid for, sent as SNI unless an IP address
 */
public record Destination(String connectHost, int port, String hostHeader, String tlsName) {}
