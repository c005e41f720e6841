package org.hearth.plugins.stories;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.MemberVisibility;
import org.pf4j.Extension;

/**
 * Viewers never see each other: in a story room the author sees every member, anyone else sees only the author
 * (and themselves). A room's author never changes, so it is looked up once.
 */
@Extension
public final class StoryViewers implements MemberVisibility {
    private final Stories stories;
    private final Map<String, String> authors = new ConcurrentHashMap<>();

    public StoryViewers(Homeserver homeserver) {
        this.stories = new Stories(homeserver);
    }

    @Override
    public String roomType() {
        return Stories.ROOM_TYPE;
    }

    @Override
    public Visible visibleTo(String roomId, String viewer) {
        String author = authors.get(roomId);
        if (author == null) {
            Optional<String> found = stories.authorOf(roomId);
            if (found.isEmpty()) {
                return MemberVisibility.only(Set.of()); // not one of ours (yet): show nobody else
            }
            author = found.get();
            authors.put(roomId, author);
        }
        return viewer.equals(author) ? MemberVisibility.EVERYONE : MemberVisibility.only(Set.of(author));
    }
}
