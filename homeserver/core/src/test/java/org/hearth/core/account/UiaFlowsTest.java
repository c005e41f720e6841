package org.hearth.core.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.hearth.spec.error.ErrorCode;
import org.junit.jupiter.api.Test;

class UiaFlowsTest {
    private final UiaFlows flows = new UiaFlows(List.of(List.of("a", "b"), List.of("c")));

    @Test
    void satisfiedWhenEveryStageOfSomeFlowIsDone() {
        assertFalse(flows.satisfiedBy(List.of()));
        assertFalse(flows.satisfiedBy(List.of("a")));
        assertTrue(flows.satisfiedBy(List.of("a", "b")));
        assertTrue(flows.satisfiedBy(List.of("b", "a")));
        assertTrue(flows.satisfiedBy(List.of("c")));
        assertFalse(new UiaFlows(List.of()).satisfiedBy(List.of("a")));
    }

    @Test
    void offersOnlyListedStages() {
        assertTrue(flows.offers("b"));
        assertFalse(flows.offers("m.login.dummy"));
    }

    @Test
    void challengeHasTheSpecShape() {
        var body = flows.challenge("S1", List.of("a"), null, null);
        assertEquals("{\"flows\":[{\"stages\":[\"a\",\"b\"]},{\"stages\":[\"c\"]}],\"params\":{},\"session\":\"S1\",\"completed\":[\"a\"]}",
                body.toString());
    }

    @Test
    void failedStageAddsTheError() {
        var body = flows.challenge("S1", List.of(), ErrorCode.FORBIDDEN, "Invalid password");
        assertEquals("M_FORBIDDEN", body.getString("errcode"));
        assertEquals("Invalid password", body.getString("error"));
        assertEquals("S1", body.getString("session"));
    }
}
