package org.hearth.spec.room;

/** Which redaction algorithm a room version uses (spec: "Redactions" in each room version). */
public enum RedactionRules {
    /** v1 to v5: keeps m.room.aliases' aliases. */
    V1,
    /** v6, v7: no special case for m.room.aliases. */
    V6,
    /** v8: also keeps m.room.join_rules' allow (spec: rooms/v8, "Redactions"). */
    V8,
    /** v9, v10: also keeps join_authorised_via_users_server in m.room.member. */
    V9,
    /** v11, v12: the v11 changes (origin, membership, prev_state no longer kept at top level; create keeps all content; ...). */
    V11
}
