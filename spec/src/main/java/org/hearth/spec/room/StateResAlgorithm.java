package org.hearth.spec.room;

/** State resolution algorithm of a room version. */
public enum StateResAlgorithm {
    /** Room version 1. */
    V1,
    /** Room versions 2 to 11. */
    V2,
    /** Room version 12 (MSC4297): v2 with the empty-state start and conflicted-subgraph changes. */
    V2_1
}
