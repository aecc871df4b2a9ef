package dev.pacer.provider;

import java.time.Duration;

/**
 * What became of one send request, in the terms the delivery flow acts on.
 *
 * @param retryWait for {@link Kind#RATE_LIMITED}: how long the provider wants the scope to wait; for
 *                  {@link Kind#TRANSIENT}: the least wait the provider named (a 503's Retry-After), or null
 */
public record SendResult(Kind kind, int status, Duration retryWait, String providerMessageId, Integer segmentCount,
                         String errorType, String description) {

    /** How the delivery flow goes on after a response. */
    public enum Kind {
        /** 2xx: the provider took the message. */
        ACCEPTED,
        /** 429: the scope must wait, then the message tries again; not a failed attempt. */
        RATE_LIMITED,
        /** 5xx, 408, timeouts, refused connections: back off and try again while attempts remain. */
        TRANSIENT,
        /** Any other 4xx: the provider refused the message for good. */
        REJECTED
    }

    public static SendResult accepted(int status, String providerMessageId, Integer segmentCount) {
        return new SendResult(Kind.ACCEPTED, status, null, providerMessageId, segmentCount, null, null);
    }

    public static SendResult rateLimited(int status, Duration wait, String errorType, String description) {
        return new SendResult(Kind.RATE_LIMITED, status, wait, null, null, errorType, description);
    }

    public static SendResult failed(Kind kind, int status, String errorType, String description) {
        return new SendResult(kind, status, null, null, null, errorType, description);
    }

    /** A one-line reason for the audit trail, e.g. {@code 400 request-validation: 'to' is invalid}. */
    public String reason() {
        StringBuilder s = new StringBuilder(status == 0 ? "no response" : String.valueOf(status));
        if (errorType != null) {
            s.append(' ').append(errorType);
        }
        if (description != null && !description.isBlank()) {
            s.append(": ").append(description);
        }
        return s.length() > 500 ? s.substring(0, 500) : s.toString();
    }
}
