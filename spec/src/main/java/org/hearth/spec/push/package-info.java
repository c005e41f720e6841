/**
 * Push rules (spec: Client-Server API, "Push Rules" and "User and room mentions"): the rule model, its JSON
 * shapes from {@code pushrules.yaml}, the server-default rules, and evaluating an event against a ruleset.
 *
 * <p>Pure functions: the server supplies the event in client format and the room facts (member count, display
 * name, power levels) in an {@link org.hearth.spec.push.EvaluationContext}.
 */
package org.hearth.spec.push;
