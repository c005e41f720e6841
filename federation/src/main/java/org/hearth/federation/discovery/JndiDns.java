package org.hearth.federation.discovery;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Hashtable;
import java.util.List;
import javax.naming.NameNotFoundException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;

/** SRV lookups through the JDK's JNDI DNS provider (the system's resolvers), so no DNS library is needed. */
public final class JndiDns implements Dns {
    private static final Logger LOG = System.getLogger(JndiDns.class.getName());

    @Override
    public List<SrvTarget> srv(String name) {
        var env = new Hashtable<String, String>();
        env.put(DirContext.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
        env.put("com.sun.jndi.dns.timeout.initial", "2000");
        env.put("com.sun.jndi.dns.timeout.retries", "2");
        DirContext context = null;
        try {
            context = new InitialDirContext(env);
            Attributes attributes = context.getAttributes("dns:///" + name, new String[] {"SRV"});
            Attribute srv = attributes.get("SRV");
            if (srv == null) {
                return List.of();
            }
            List<SrvTarget> out = new ArrayList<>();
            NamingEnumeration<?> values = srv.getAll();
            while (values.hasMore()) {
                // "priority weight port target."
                String[] parts = values.next().toString().trim().split("\\s+");
                if (parts.length == 4) {
                    String host = parts[3].endsWith(".") ? parts[3].substring(0, parts[3].length() - 1) : parts[3];
                    // RFC 2782: a target of "." means the service is decidedly not available.
                    if (!host.isEmpty()) {
                        out.add(new SrvTarget(host, Integer.parseInt(parts[2]), Integer.parseInt(parts[0]),
                                Integer.parseInt(parts[1])));
                    }
                }
            }
            out.sort(Comparator.comparingInt(SrvTarget::priority).thenComparing(Comparator.comparingInt(SrvTarget::weight).reversed()));
            return out;
        } catch (NameNotFoundException e) {
            return List.of();
        } catch (NamingException | NumberFormatException e) {
            LOG.log(Level.DEBUG, "SRV lookup of " + name + " failed: " + e);
            return List.of();
        } finally {
            if (context != null) {
                try {
                    context.close();
                } catch (NamingException ignored) {
                    // nothing held open
                }
            }
        }
    }
}
