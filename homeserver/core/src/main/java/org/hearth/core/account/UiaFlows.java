package org.hearth.core.account;

import jakarta.json.JsonObject;
import java.util.Collection;
import java.util.List;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.json.Json;

/** The pure rules of user-interactive authentication: which stages a flow set allows and when it is satisfied. */
public record UiaFlows(List<List<String>> flows) {
    public static final String PASSWORD = "m.login.password";
    public static final String DUMMY = "m.login.dummy";
    public static final String REGISTRATION_TOKEN = "m.login.registration_token";

    public static final UiaFlows PASSWORD_ONLY = new UiaFlows(List.of(List.of(PASSWORD)));

    public UiaFlows {
        flows = flows.stream().map(List::copyOf).toList();
    }

    /** Whether some flow offers {@code stage}. */
    public boolean offers(String stage) {
        return flows.stream().anyMatch(f -> f.contains(stage));
    }

    /** Whether every stage of at least one flow is completed (spec: the request then proceeds). */
    public boolean satisfiedBy(Collection<String> completed) {
        return flows.stream().anyMatch(completed::containsAll);
    }

    /** The 401 body: flows, params, session, completed, and the error of a failed stage when there is one. */
    public JsonObject challenge(String session, Collection<String> completed, ErrorCode error, String message) {
        var flowsJson = Json.arrayBuilder();
        for (List<String> flow : flows) {
            var stages = Json.arrayBuilder();
            flow.forEach(stages::add);
            flowsJson.add(Json.objectBuilder().add("stages", stages));
        }
        var done = Json.arrayBuilder();
        completed.forEach(done::add);
        var body = Json.objectBuilder()
                .add("flows", flowsJson)
                .add("params", Json.objectBuilder())
                .add("session", session)
                .add("completed", done);
        if (error != null) {
            body.add("errcode", error.errcode()).add("error", message);
        }
        return body.build();
    }
}
