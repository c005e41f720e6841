package org.hearth.bridge.irc;

import java.util.Locale;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Entities;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;

/**
 * IRC formatting codes (bold ^B, italic ^], underline ^_, strikethrough ^^, monospace ^Q, colour ^C[fg[,bg]],
 * reset ^O; reverse ^V is dropped) to Matrix HTML ({@code org.matrix.custom.html}) and back.
 */
public final class IrcFormatting {
    static final char BOLD = 0x02, COLOR = 0x03, RESET = 0x0F, REVERSE = 0x16, ITALIC = 0x1D, UNDERLINE = 0x1F,
            STRIKE = 0x1E, MONO = 0x11;
    /** The 16 standard mIRC colours. */
    static final String[] PALETTE = {"#FFFFFF", "#000000", "#00007F", "#009300", "#FF0000", "#7F0000", "#9C009C",
            "#FC7F00", "#FFFF00", "#00FC00", "#009393", "#00FFFF", "#0000FC", "#FF00FF", "#7F7F7F", "#D2D2D2"};

    /** A Matrix text: the plain body, and the HTML when the IRC text had formatting (else null). */
    public record Matrix(String body, String html) {}

    private IrcFormatting() {}

    private static final class Style {
        boolean bold, italic, underline, strike, mono;
        int fg = -1, bg = -1;

        boolean plain() {
            return !bold && !italic && !underline && !strike && !mono && fg < 0;
        }

        String open() {
            StringBuilder s = new StringBuilder();
            if (fg >= 0) {
                s.append("<font data-mx-color=\"").append(PALETTE[fg]).append('"');
                if (bg >= 0) {
                    s.append(" data-mx-bg-color=\"").append(PALETTE[bg]).append('"');
                }
                s.append('>');
            }
            if (bold) s.append("<b>");
            if (italic) s.append("<i>");
            if (underline) s.append("<u>");
            if (strike) s.append("<del>");
            if (mono) s.append("<code>");
            return s.toString();
        }

        String close() {
            StringBuilder s = new StringBuilder();
            if (mono) s.append("</code>");
            if (strike) s.append("</del>");
            if (underline) s.append("</u>");
            if (italic) s.append("</i>");
            if (bold) s.append("</b>");
            if (fg >= 0) s.append("</font>");
            return s.toString();
        }
    }

    public static Matrix toMatrix(String irc) {
        StringBuilder body = new StringBuilder();
        StringBuilder html = new StringBuilder();
        Style style = new Style();
        boolean formatted = false;
        boolean open = false;
        int i = 0;
        while (i < irc.length()) {
            char c = irc.charAt(i);
            boolean code = c == BOLD || c == COLOR || c == RESET || c == REVERSE || c == ITALIC || c == UNDERLINE
                    || c == STRIKE || c == MONO;
            if (!code) {
                if (!open && !style.plain()) {
                    html.append(style.open());
                    open = true;
                }
                int end = i;
                while (end < irc.length() && "\u0002\u0003\u000F\u0016\u001D\u001F\u001E\u0011".indexOf(irc.charAt(end)) < 0) {
                    end++;
                }
                String text = irc.substring(i, end);
                body.append(text);
                html.append(Entities.escape(text).replace("\n", "<br>"));
                i = end;
                continue;
            }
            formatted = true;
            if (open) {
                html.append(style.close());
                open = false;
            }
            i++;
            switch (c) {
                case BOLD -> style.bold = !style.bold;
                case ITALIC -> style.italic = !style.italic;
                case UNDERLINE -> style.underline = !style.underline;
                case STRIKE -> style.strike = !style.strike;
                case MONO -> style.mono = !style.mono;
                case RESET -> style = new Style();
                case COLOR -> {
                    int[] read = new int[1];
                    int fg = number(irc, i, read);
                    if (fg < 0) {
                        style.fg = -1;
                        style.bg = -1;
                        break;
                    }
                    i += read[0];
                    style.fg = fg % 16;
                    if (i + 1 < irc.length() && irc.charAt(i) == ',') {
                        int bg = number(irc, i + 1, read);
                        if (bg >= 0) {
                            style.bg = bg % 16;
                            i += 1 + read[0];
                        }
                    }
                }
                default -> { }
            }
        }
        if (open) {
            html.append(style.close());
        }
        return new Matrix(body.toString(), formatted ? html.toString() : null);
    }

    /** One or two digits at {@code at}: the number, or -1; {@code read[0]} is how many digits. */
    private static int number(String s, int at, int[] read) {
        int n = 0;
        int digits = 0;
        while (digits < 2 && at + digits < s.length() && Character.isDigit(s.charAt(at + digits))) {
            n = n * 10 + (s.charAt(at + digits) - '0');
            digits++;
        }
        read[0] = digits;
        return digits == 0 ? -1 : n;
    }

    /** Matrix HTML to IRC text with formatting codes; a reply's quoted fallback ({@code mx-reply}) is dropped. */
    public static String toIrc(String html) {
        Element root = Jsoup.parseBodyFragment(html).body();
        root.select("mx-reply").remove();
        StringBuilder out = new StringBuilder();
        walk(root, out);
        return out.toString().replaceAll("\n{3,}", "\n\n").strip();
    }

    private static void walk(Node node, StringBuilder out) {
        for (Node child : node.childNodes()) {
            if (child instanceof TextNode text) {
                out.append(text.getWholeText());
            } else if (child instanceof Element e) {
                element(e, out);
            }
        }
    }

    private static void element(Element e, StringBuilder out) {
        String tag = e.normalName();
        switch (tag) {
            case "b", "strong" -> wrap(e, out, BOLD);
            case "i", "em" -> wrap(e, out, ITALIC);
            case "u" -> wrap(e, out, UNDERLINE);
            case "del", "s", "strike" -> wrap(e, out, STRIKE);
            case "code" -> wrap(e, out, MONO);
            case "br" -> out.append('\n');
            case "p", "div", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol" -> {
                newline(out);
                walk(e, out);
                newline(out);
            }
            case "li" -> {
                newline(out);
                out.append("* ");
                walk(e, out);
                newline(out);
            }
            case "blockquote" -> {
                StringBuilder inner = new StringBuilder();
                walk(e, inner);
                newline(out);
                for (String line : inner.toString().strip().split("\n")) {
                    out.append("> ").append(line).append('\n');
                }
            }
            case "a" -> {
                String href = e.attr("href");
                walk(e, out);
                if (!href.isEmpty() && !href.equals(e.text()) && !href.startsWith("https://matrix.to/")) {
                    out.append(" (").append(href).append(')');
                }
            }
            case "font", "span" -> {
                int fg = nearest(e.hasAttr("data-mx-color") ? e.attr("data-mx-color") : e.attr("color"));
                if (fg < 0) {
                    walk(e, out);
                } else {
                    out.append(COLOR).append(String.format(Locale.ROOT, "%02d", fg));
                    walk(e, out);
                    out.append(COLOR);
                }
            }
            default -> walk(e, out);
        }
    }

    private static void wrap(Element e, StringBuilder out, char code) {
        out.append(code);
        walk(e, out);
        out.append(code);
    }

    private static void newline(StringBuilder out) {
        if (!out.isEmpty() && out.charAt(out.length() - 1) != '\n') {
            out.append('\n');
        }
    }

    /** The palette entry nearest to a {@code #RRGGBB} colour, or -1 when there is none. */
    static int nearest(String color) {
        if (color == null || !color.matches("#[0-9a-fA-F]{6}")) {
            return -1;
        }
        int rgb = Integer.parseInt(color.substring(1), 16);
        int best = -1;
        long bestDistance = Long.MAX_VALUE;
        for (int i = 0; i < PALETTE.length; i++) {
            int p = Integer.parseInt(PALETTE[i].substring(1), 16);
            long dr = ((rgb >> 16) & 255) - ((p >> 16) & 255), dg = ((rgb >> 8) & 255) - ((p >> 8) & 255), db = (rgb & 255) - (p & 255);
            long d = dr * dr + dg * dg + db * db;
            if (d < bestDistance) {
                bestDistance = d;
                best = i;
            }
        }
        return best;
    }
}
