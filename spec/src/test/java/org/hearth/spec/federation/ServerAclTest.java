package org.hearth.spec.federation;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;

class ServerAclTest {
    private static ServerAcl acl(String content) {
        return ServerAcl.of(Json.parseObject(content));
    }

    @Test
    void denyWinsOverAllowAndPortsAreIgnored() {
        ServerAcl acl = acl("{\"allow\":[\"*\"],\"deny\":[\"evil.com\",\"*.evil.com\"]}");
        assertFalse(acl.allows("evil.com"));
        assertFalse(acl.allows("evil.com:8448"));
        assertFalse(acl.allows("evil.com:1234"));
        assertFalse(acl.allows("sub.evil.com"));
        assertTrue(acl.allows("notevil.com"));
        assertTrue(acl.allows("good.org:8448"));
    }

    @Test
    void noAllowListDeniesEveryone() {
        assertFalse(acl("{}").allows("example.org"));
        assertFalse(acl("{\"deny\":[]}").allows("example.org"));
    }

    @Test
    void globsAreCaseInsensitiveWithQuestionMarks() {
        ServerAcl acl = acl("{\"allow\":[\"EXAMPLE.org\",\"host?.net\"]}");
        assertTrue(acl.allows("example.ORG"));
        assertTrue(acl.allows("host1.net"));
        assertFalse(acl.allows("host12.net"));
        assertFalse(acl.allows("sub.example.org"));
    }

    @Test
    void ipLiteralsDeniedOnlyWhenAllowIpLiteralsIsFalse() {
        assertTrue(acl("{\"allow\":[\"*\"]}").allows("1.2.3.4"));
        assertTrue(acl("{\"allow\":[\"*\"],\"allow_ip_literals\":\"false\"}").allows("1.2.3.4:8448"));
        ServerAcl noIps = acl("{\"allow\":[\"*\"],\"allow_ip_literals\":false}");
        assertFalse(noIps.allows("1.2.3.4"));
        assertFalse(noIps.allows("1.2.3.4:8448"));
        assertFalse(noIps.allows("[::1]"));
        assertFalse(noIps.allows("[2001:db8::1]:8448"));
        assertTrue(noIps.allows("1.2.3.4.example"));
    }

    @Test
    void nonStringEntriesAreSkipped() {
        ServerAcl acl = acl("{\"allow\":[1,null,\"ok.org\"],\"deny\":\"*\"}");
        assertTrue(acl.allows("ok.org"));
        assertFalse(acl.allows("other.org"));
    }
}
