package org.hearth.core.appservice;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The application services registered with this server (validated before they get here), by token and by id. */
public final class AppServices {
    public static final AppServices NONE = new AppServices(List.of());

    private final List<AppService> all;
    private final Map<String, AppService> byAsToken;
    private final Map<String, AppService> byId;

    public AppServices(List<AppService> all) {
        this.all = List.copyOf(all);
        this.byAsToken = all.stream().collect(Collectors.toUnmodifiableMap(AppService::asToken, Function.identity()));
        this.byId = all.stream().collect(Collectors.toUnmodifiableMap(AppService::id, Function.identity()));
    }

    public List<AppService> all() {
        return all;
    }

    public boolean isEmpty() {
        return all.isEmpty();
    }

    public Optional<AppService> byAsToken(String token) {
        return Optional.ofNullable(byAsToken.get(token));
    }

    public Optional<AppService> byId(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** The appservice holding {@code userId} in an exclusive users namespace, if any. */
    public Optional<AppService> exclusiveOwnerOfUser(String userId) {
        return all.stream().filter(a -> a.ownsUserExclusively(userId)).findFirst();
    }

    public Optional<AppService> exclusiveOwnerOfAlias(String alias) {
        return all.stream().filter(a -> a.ownsAliasExclusively(alias)).findFirst();
    }

    /** The appservices with {@code userId} in a users namespace (or as their sender), for queries and transactions. */
    public List<AppService> interestedInUser(String userId) {
        return all.stream().filter(a -> a.isInterestedInUser(userId)).toList();
    }
}
