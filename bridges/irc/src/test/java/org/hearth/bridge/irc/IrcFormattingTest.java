package org.hearth.bridge.irc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class IrcFormattingTest {
    @Test
    void plainTextHasNoHtml() {
        IrcFormatting.Matrix m = IrcFormatting.toMatrix("a <plain> line");
        assertEquals("a <plain> line", m.body());
        assertNull(m.html());
    }

    @Test
    void codesBecomeHtmlAndAreRemovedFromTheBody() {
        IrcFormatting.Matrix m = IrcFormatting.toMatrix("\u0002b\u0002 \u001Di\u001D \u001Fu\u001F \u00034,1fg<\u000F x");
        assertEquals("b i u fg< x", m.body());
        assertEquals("<b>b</b> <i>i</i> <u>u</u> <font data-mx-color=\"#FF0000\" data-mx-bg-color=\"#000000\">fg&lt;</font> x",
                m.html());
    }

    @Test
    void nestedStylesAndABareColourCodeResetTheColour() {
        IrcFormatting.Matrix m = IrcFormatting.toMatrix("\u0002bold \u000312blue\u0003 still\u0002");
        assertEquals("<b>bold </b><font data-mx-color=\"#0000FC\"><b>blue</b></font><b> still</b>", m.html());
    }

    @Test
    void htmlBecomesCodes() {
        assertEquals("\u0002b\u0002 \u001Di\u001D \u001Fu\u001F \u001Es\u001E \u0011c\u0011 \u000304red\u0003",
                IrcFormatting.toIrc("<b>b</b> <em>i</em> <u>u</u> <del>s</del> <code>c</code> <font data-mx-color=\"#fe0101\">red</font>"));
    }

    @Test
    void blocksLinksAndRepliesBecomeLines() {
        assertEquals("one\ntwo\n> quoted\nsee site (https://example.org)",
                IrcFormatting.toIrc("<mx-reply><blockquote>old</blockquote></mx-reply><p>one</p><p>two</p>"
                        + "<blockquote>quoted</blockquote>see <a href=\"https://example.org\">site</a>"));
    }

    @Test
    void unknownColoursAreDropped() {
        assertEquals(-1, IrcFormatting.nearest("red"));
        assertEquals("x", IrcFormatting.toIrc("<span data-mx-color=\"nope\">x</span>"));
    }
}
