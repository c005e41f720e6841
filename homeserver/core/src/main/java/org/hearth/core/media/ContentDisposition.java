package org.hearth.core.media;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/** The {@code Content-Disposition} of served media, on the client and federation endpoints alike. */
public final class ContentDisposition {
    /** Spec "Serving inline content": the only types served {@code inline}; everything else is an attachment. */
    public static final Set<String> INLINE_TYPES = Set.of("text/css", "text/plain", "text/csv", "application/json",
            "application/ld+json", "image/jpeg", "image/gif", "image/png", "image/apng", "image/webp", "image/avif",
            "video/mp4", "video/webm", "video/ogg", "video/quicktime", "audio/mp4", "audio/webm", "audio/aac",
            "audio/mpeg", "audio/ogg", "audio/wave", "audio/wav", "audio/x-wav", "audio/x-pn-wav", "audio/flac",
            "audio/x-flac");

    private ContentDisposition() {}

    /** {@code inline} for the safe types, else {@code attachment}, with the file name when there is one. */
    public static String forType(String contentType, String fileName) {
        return of(INLINE_TYPES.contains(ContentRepository.baseType(contentType)) ? "inline" : "attachment", fileName);
    }

    /**
     * RFC 6266: a plain {@code filename=} when the name is an HTTP token, else {@code filename*=utf-8''...} with
     * RFC 8187 percent-encoding, so quotes, semicolons, line breaks or non-ASCII cannot break the header.
     */
    public static String of(String disposition, String fileName) {
        if (fileName == null || fileName.isEmpty()) {
            return disposition;
        }
        if (fileName.chars().allMatch(ContentDisposition::isTokenChar)) {
            return disposition + "; filename=" + fileName;
        }
        StringBuilder encoded = new StringBuilder();
        for (byte b : fileName.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (isAttrChar(c)) {
                encoded.append((char) c);
            } else {
                encoded.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return disposition + "; filename*=utf-8''" + encoded;
    }

    /** The file name a header names ({@code filename*} preferred, as RFC 6266 asks), or null. */
    public static String fileName(String header) {
        if (header == null) {
            return null;
        }
        String plain = null;
        for (String param : header.split(";")) {
            String p = param.strip();
            int eq = p.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String name = p.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            String value = p.substring(eq + 1).strip();
            if (name.equals("filename*")) {
                int quote = value.indexOf("''");
                if (quote >= 0 && value.substring(0, quote).equalsIgnoreCase("utf-8")) {
                    String decoded = percentDecoded(value.substring(quote + 2));
                    if (decoded != null) {
                        return decoded;
                    }
                }
            } else if (name.equals("filename")) {
                plain = value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                        ? value.substring(1, value.length() - 1) : value;
            }
        }
        return plain == null || plain.isEmpty() ? null : plain;
    }

    private static String percentDecoded(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return null;
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static boolean isTokenChar(int c) {
        return c < 128 && (Character.isLetterOrDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0);
    }

    private static boolean isAttrChar(int c) {
        return c < 128 && (Character.isLetterOrDigit(c) || "!#$&+-.^_`|~".indexOf(c) >= 0);
    }
}
