package org.hearth.spec.push;

import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;

/** The kinds of push rule, declared in the order the spec checks them (spec: "Push Rules"). */
public enum PushRuleKind {
    OVERRIDE("override"),
    CONTENT("content"),
    ROOM("room"),
    SENDER("sender"),
    UNDERRIDE("underride");

    private final String wireName;

    PushRuleKind(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in JSON and in {@code /pushrules/global/{kind}/...} paths. */
    public String wireName() {
        return wireName;
    }

    /** Whether rules of this kind carry a {@code conditions} list (only override and underride do). */
    public boolean hasConditions() {
        return this == OVERRIDE || this == UNDERRIDE;
    }

    /** The kind named {@code name}; {@code M_INVALID_PARAM} for any other string. */
    public static PushRuleKind parse(String name) {
        for (PushRuleKind kind : values()) {
            if (kind.wireName.equals(name)) {
                return kind;
            }
        }
        throw new MatrixException(ErrorCode.INVALID_PARAM, "unknown push rule kind: " + name);
    }
}
