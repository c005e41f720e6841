package org.hearth.core.media;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One thumbnail size the server makes (spec "Thumbnails": 32x32 crop, 96x96 crop, 320x240, 640x480, 800x600 scale). */
public record ThumbnailSize(int width, int height, String method) {
    public static final List<ThumbnailSize> SPEC_DEFAULTS = List.of(
            new ThumbnailSize(32, 32, "crop"), new ThumbnailSize(96, 96, "crop"),
            new ThumbnailSize(320, 240, "scale"), new ThumbnailSize(640, 480, "scale"),
            new ThumbnailSize(800, 600, "scale"));

    public ThumbnailSize {
        if (width < 1 || height < 1 || width > 10_000 || height > 10_000) {
            throw new IllegalArgumentException("thumbnail size out of range: " + width + "x" + height);
        }
        if (!method.equals("crop") && !method.equals("scale")) {
            throw new IllegalArgumentException("thumbnail method must be crop or scale, got " + method);
        }
    }

    /** Parses {@code "32x32 crop, 320x240 scale"}; IllegalArgumentException on anything else. */
    public static List<ThumbnailSize> parseList(String text) {
        List<ThumbnailSize> sizes = new ArrayList<>();
        for (String item : text.split(",")) {
            String[] parts = item.strip().toLowerCase(Locale.ROOT).split("\\s+");
            String[] dims = parts[0].split("x");
            if (parts.length != 2 || dims.length != 2) {
                throw new IllegalArgumentException("expected WIDTHxHEIGHT crop|scale, got '" + item.strip() + "'");
            }
            try {
                sizes.add(new ThumbnailSize(Integer.parseInt(dims[0]), Integer.parseInt(dims[1]), parts[1]));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected WIDTHxHEIGHT crop|scale, got '" + item.strip() + "'");
            }
        }
        return List.copyOf(sizes);
    }

    @Override
    public String toString() {
        return width + "x" + height + " " + method;
    }
}
