/**
 * State resolution: {@link org.hearth.spec.stateres.StateResolver} picks the algorithm of the room version
 * (spec: "Room Version 1" state resolution; v2 for room versions 2-11; v2.1 for room version 12, MSC4297).
 *
 * <p>Where the spec text leaves a choice, this package reads it as follows (each also noted where coded):
 * <ul>
 *   <li>Reverse topological power ordering: "the DAG formed by auth events" of a set is the subgraph the set
 *       induces, direct {@code auth_events} links between its members ({@code PowerOrdering}).</li>
 *   <li>The sender's power level "when looking at their respective auth_events": from v12 on the create event
 *       is not an auth event, so the creators come from the create event the room ID names.</li>
 *   <li>Iterative auth checks: the keys "required for checking the authorisation rules" are those of
 *       "Auth events selection", plus the create event (from v12, the one the room ID names). Rejection is
 *       not visible through the lookup: every event it returns counts as not rejected, so callers report
 *       events rejected against their auth chain as unknown ({@code AuthStateSelection}).</li>
 *   <li>Conflicted state subgraph: vertices on an {@code auth_events} path of one or more links from one
 *       conflicted event to another, both endpoints included ({@code EventGraph.subgraphBetween}).</li>
 *   <li>Unknown events (lookup returns null) are skipped: an unknown conflicted event cannot win, an unknown
 *       auth event links nothing; unknown unconflicted entries are kept as they are.</li>
 *   <li>Room version 1: see {@code StateResV1} (what counts as a conflict, the order of passes per key, a key
 *       whose events all fail, how sha1 values compare).</li>
 * </ul>
 */
package org.hearth.spec.stateres;
