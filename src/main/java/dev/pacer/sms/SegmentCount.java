package dev.pacer.sms;

/**
 * How a text will be sent: its encoding, its length in that encoding and the number of SMS
 * segments it occupies, which is what providers rate-limit and bill on.
 *
 * @param encoding the encoding the whole text must use
 * @param units    GSM-7 septets for {@link Encoding#GSM7}, UTF-16 code units for {@link Encoding#UCS2}
 * @param segments number of SMS segments; at least 1, even for an empty text
 */
public record SegmentCount(Encoding encoding, int units, int segments) {

    public SegmentCount {
        if (encoding == null) {
            throw new IllegalArgumentException("encoding must not be null");
        }
        if (units < 0) {
            throw new IllegalArgumentException("units must be >= 0, was " + units);
        }
        if (segments < 1) {
            throw new IllegalArgumentException("segments must be >= 1, was " + segments);
        }
    }
}
