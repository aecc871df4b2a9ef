package dev.pacer.throttle;

import java.util.Locale;

/** Which lane a message waits in: real-time sends go ahead of bulk within a scope. */
public enum Priority {
    REALTIME, BULK;

    /** Reads the campaign file's spelling ({@code bulk} | {@code realtime}); null means bulk. */
    public static Priority parse(String value) {
        if (value == null || value.isBlank()) {
            return BULK;
        }
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("priority must be 'bulk' or 'realtime', got '" + value + "'");
        }
    }
}
