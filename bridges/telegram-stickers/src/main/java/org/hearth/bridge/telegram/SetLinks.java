package org.hearth.bridge.telegram;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A sticker set named in a message: {@code https://t.me/addstickers/NAME} and its variants (telegram.me,
 * addemoji for custom emoji, {@code tg://addstickers?set=NAME}) or the bare name.
 */
public final class SetLinks {
    // Telegram set names: letters, digits and underscores, starting with a letter, at most 64 characters.
    private static final String NAME = "([A-Za-z][A-Za-z0-9_]{0,63})";
    private static final Pattern LINK = Pattern.compile(
            "(?:https?://)?(?:www\\.)?(?:t|telegram)\\.(?:me|dog)/add(?:stickers|emoji)/" + NAME + "/?(?:[?#].*)?");
    private static final Pattern TG = Pattern.compile("tg://add(?:stickers|emoji)\\?set=" + NAME + "(?:&.*)?");
    private static final Pattern BARE = Pattern.compile(NAME);

    private SetLinks() {}

    public static Optional<String> parse(String text) {
        return match(text, LINK, TG, BARE);
    }

    /** Only a link (for rooms other than the bot's DMs, where a bare word is just conversation). */
    public static Optional<String> parseLink(String text) {
        return match(text, LINK, TG);
    }

    private static Optional<String> match(String text, Pattern... patterns) {
        String s = text == null ? "" : text.strip();
        for (Pattern p : patterns) {
            Matcher m = p.matcher(s);
            if (m.matches()) {
                return Optional.of(m.group(1));
            }
        }
        return Optional.empty();
    }
}
