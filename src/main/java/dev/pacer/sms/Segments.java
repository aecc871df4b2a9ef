package dev.pacer.sms;

import java.util.BitSet;

/**
 * Counts the SMS segments a text occupies under GSM 03.38, so that sending can be paced in the
 * same units the providers count against their rate limits.
 */
public final class Segments {

    private static final String GSM7_BASIC =
            "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
                    + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    /** Characters reached through the escape septet, so each costs two septets. */
    private static final String GSM7_EXTENSION = "\f^{}\\[~]|€";

    private static final int GSM7_SINGLE_SEGMENT = 160;
    // Concatenated segments lose 7 septets to the user data header.
    private static final int GSM7_MULTI_SEGMENT = 153;
    private static final int UCS2_SINGLE_SEGMENT = 70;
    // Concatenated segments lose 3 code units to the user data header.
    private static final int UCS2_MULTI_SEGMENT = 67;

    private static final BitSet BASIC = charsOf(GSM7_BASIC);
    private static final BitSet EXTENSION = charsOf(GSM7_EXTENSION);

    private Segments() {
    }

    /**
     * Counts the segments of {@code text}.
     *
     * @throws IllegalArgumentException if {@code text} is null
     */
    public static SegmentCount count(String text) {
        if (text == null) {
            throw new IllegalArgumentException("text must not be null");
        }
        return isGsm7(text) ? countGsm7(text) : countUcs2(text);
    }

    private static boolean isGsm7(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!BASIC.get(c) && !EXTENSION.get(c)) {
                return false;
            }
        }
        return true;
    }

    private static SegmentCount countGsm7(String text) {
        int septets = 0;
        for (int i = 0; i < text.length(); i++) {
            septets += septetsOf(text.charAt(i));
        }
        if (septets <= GSM7_SINGLE_SEGMENT) {
            return new SegmentCount(Encoding.GSM7, septets, 1);
        }
        // Handsets cannot reassemble an escape sequence split over two segments, so the
        // segment boundary moves in front of it and a segment may carry only 152 septets.
        Packer packer = new Packer(GSM7_MULTI_SEGMENT);
        for (int i = 0; i < text.length(); i++) {
            packer.add(septetsOf(text.charAt(i)));
        }
        return new SegmentCount(Encoding.GSM7, septets, packer.segments());
    }

    private static SegmentCount countUcs2(String text) {
        int units = text.length();
        if (units <= UCS2_SINGLE_SEGMENT) {
            return new SegmentCount(Encoding.UCS2, units, 1);
        }
        // A surrogate pair split over two segments would render as two replacement
        // characters, so the pair always travels together.
        Packer packer = new Packer(UCS2_MULTI_SEGMENT);
        int i = 0;
        while (i < units) {
            int width = Character.charCount(text.codePointAt(i));
            packer.add(width);
            i += width;
        }
        return new SegmentCount(Encoding.UCS2, units, packer.segments());
    }

    private static int septetsOf(char c) {
        return EXTENSION.get(c) ? 2 : 1;
    }

    private static BitSet charsOf(String chars) {
        BitSet set = new BitSet();
        chars.chars().forEach(set::set);
        return set;
    }

    /** Greedily fills segments with indivisible items. */
    private static final class Packer {
        private final int capacity;
        private int segments = 1;
        private int used;

        Packer(int capacity) {
            this.capacity = capacity;
        }

        void add(int width) {
            if (used + width > capacity) {
                segments++;
                used = 0;
            }
            used += width;
        }

        int segments() {
            return segments;
        }
    }
}
