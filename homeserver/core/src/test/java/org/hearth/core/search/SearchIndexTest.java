package org.hearth.core.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SearchIndexTest {
    @Test
    void roomTokensAreOneIndexableWordPerRoom() {
        String token = SearchIndex.roomToken("!abc:example.org");
        assertTrue(token.matches("zqroom[0-9a-f]{24}"), token);
        assertEquals(token, SearchIndex.roomToken("!abc:example.org"));
        assertNotEquals(token, SearchIndex.roomToken("!abd:example.org"));
        // What V21 computes for existing rows: CONCAT('zqroom', LEFT(SHA2(room_id, 256), 24)).
        assertEquals("zqroom" + "ba7816bf8f01cfea414140de", SearchIndex.roomToken("abc"));
    }

    @Test
    void theFulltextQueryNamesTheRoomsUpToALimit() {
        String words = SearchIndex.booleanQuery(SearchIndex.words("Meeting tomorrow"));
        assertEquals("+meeting* +tomorrow*", words);
        assertEquals("+meeting* +tomorrow* +(" + SearchIndex.roomToken("!a:x") + " " + SearchIndex.roomToken("!b:x")
                + ")", SearchIndex.withRooms(words, List.of("!a:x", "!b:x")));
        List<String> many = IntStream.range(0, SearchIndex.MAX_ROOM_TOKENS + 1).mapToObj(i -> "!r" + i + ":x").toList();
        assertEquals(words, SearchIndex.withRooms(words, many));
    }
}
