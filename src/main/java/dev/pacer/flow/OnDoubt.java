package dev.pacer.flow;

import java.util.Locale;

/**
 * What a message whose send is in doubt does when the provider cannot tell whether it has it
 * ({@code onDoubt}, a campaign's or a message's own). The default is {@link #SKIP}: a text sent twice
 * cannot be taken back, costs the sender twice and reads as spam to the recipient and the carrier,
 * while a skipped message is counted and flagged {@code IN_DOUBT} in the report, the CSV and the
 * trail, and its recipient can be sent to again on purpose.
 */
public enum OnDoubt {
    /** End the message {@code IN_DOUBT}, sending nothing more. */
    SKIP,
    /** Send it again: the recipient may get it twice. */
    RESEND;

    /** Reads {@code skip} or {@code resend}, in any case. */
    public static OnDoubt parse(Object value) {
        if (value instanceof OnDoubt o) {
            return o;
        }
        String s = value.toString().trim().toUpperCase(Locale.ROOT);
        for (OnDoubt o : values()) {
            if (o.name().equals(s)) {
                return o;
            }
        }
        throw new IllegalArgumentException("onDoubt must be skip or resend, not '" + value + "'");
    }
}
