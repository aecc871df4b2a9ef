package dev.pacer.provider;

import dev.pacer.retry.ProviderHints.QueueLimit;
import dev.pacer.throttle.Quota;

import java.time.Duration;

/**
 * What became of one send request, as the provider route read it.
 *
 * @param kind      the route's reading of the status; the flow's response rules (DMN) have the last word
 * @param retryWait for {@link Kind#RATE_LIMITED}: how long the provider wants the scope to wait; for
 *                  {@link Kind#TRANSIENT}: the least wait the provider named (a 503's Retry-After), or null
 * @param errorCode the provider's numeric error code (Bandwidth 4470, 5600...), or null
 * @param quota     what the response's rate-limit headers reported, or null
 * @param stated    the allowed rate and queue capacity a 429 body states (Bandwidth), or null
 */
public record SendResult(Kind kind, int status, Duration retryWait, String providerMessageId, Integer segmentCount,
                         String errorType, String errorCode, String description, Quota quota, QueueLimit stated) {

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

    public SendResult(Kind kind, int status, Duration retryWait, String providerMessageId, Integer segmentCount,
                      String errorType, String description) {
        this(kind, status, retryWait, providerMessageId, segmentCount, errorType, null, description, null, null);
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

    public SendResult withQuota(Quota quota) {
        return new SendResult(kind, status, retryWait, providerMessageId, segmentCount, errorType, errorCode, description, quota, stated);
    }

    public SendResult withErrorCode(String errorCode) {
        return new SendResult(kind, status, retryWait, providerMessageId, segmentCount, errorType, errorCode, description, quota, stated);
    }

    public SendResult withStated(QueueLimit stated) {
        return new SendResult(kind, status, retryWait, providerMessageId, segmentCount, errorType, errorCode, description, quota, stated);
    }

    /** A one-line reason for the audit trail, e.g. {@code 400 request-validation: 'to' is invalid}. */
    public String reason() {
        StringBuilder s = new StringBuilder(status == 0 ? "no response" : String.valueOf(status));
        if (errorType != null) {
            s.append(' ').append(errorType);
        }
        if (errorCode != null) {
            s.append(" (").append(errorCode).append(')');
        }
        if (description != null && !description.isBlank()) {
            s.append(": ").append(description);
        }
        return s.length() > 500 ? s.substring(0, 500) : s.toString();
    }
}
