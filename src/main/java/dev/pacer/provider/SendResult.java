package dev.pacer.provider;

import dev.pacer.retry.ProviderHints.QueueLimit;
import dev.pacer.throttle.Quota;

import java.time.Duration;

/**
 * What a provider answered to one send request, as its {@link ProviderApi} read it: facts only. What
 * the answer means (accepted, rate-limited, transient, permanent) is the response rules' decision
 * ({@code bpmn/response-rules.dmn}), taken on these facts.
 *
 * @param status    the HTTP status, 0 when no answer came (refused connection, timeout)
 * @param retryWait the wait the provider asked for, read and clamped: for a 429 the wait to keep
 *                  (from {@code Retry-After}, else the provider's own hints, else the fallback);
 *                  otherwise the least wait it named (a 503's {@code Retry-After}), or null
 * @param errorCode the provider's numeric error code (Bandwidth 4470, 5600...), or null
 * @param quota     what the response's rate-limit headers reported, or null
 * @param stated    the allowed rate and queue capacity a 429 body states (Bandwidth), or null
 * @param lost      the request may have reached the provider but its answer was lost (a timeout after
 *                  it was written, a connection closed without a reply, a 2xx cut short): the send is
 *                  in doubt, and is settled by asking the provider before anything is sent again
 */
public record SendResult(int status, Duration retryWait, String providerMessageId, Integer segmentCount,
                         String errorType, String errorCode, String description, Quota quota, QueueLimit stated, boolean lost) {

    public SendResult(int status, Duration retryWait, String providerMessageId, Integer segmentCount, String errorType,
                      String description) {
        this(status, retryWait, providerMessageId, segmentCount, errorType, null, description, null, null, false);
    }

    public static SendResult accepted(int status, String providerMessageId, Integer segmentCount) {
        return new SendResult(status, null, providerMessageId, segmentCount, null, null);
    }

    public static SendResult rateLimited(int status, Duration wait, String errorType, String description) {
        return new SendResult(status, wait, null, null, errorType, description);
    }

    /** An error answer, or with status 0 none at all. */
    public static SendResult failed(int status, String errorType, String description) {
        return new SendResult(status, null, null, null, errorType, description);
    }

    /**
     * A request whose answer was lost: {@code status} 0 when none came, or the status of an answer
     * that was cut short.
     */
    public static SendResult lost(int status, String errorType, String description) {
        return new SendResult(status, null, null, null, errorType, null, description, null, null, true);
    }

    public SendResult withQuota(Quota quota) {
        return new SendResult(status, retryWait, providerMessageId, segmentCount, errorType, errorCode, description, quota, stated, lost);
    }

    public SendResult withErrorCode(String errorCode) {
        return new SendResult(status, retryWait, providerMessageId, segmentCount, errorType, errorCode, description, quota, stated, lost);
    }

    public SendResult withStated(QueueLimit stated) {
        return new SendResult(status, retryWait, providerMessageId, segmentCount, errorType, errorCode, description, quota, stated, lost);
    }

    /** Whether the rate-limit headers said the window's quota is spent. */
    public boolean quotaSpent() {
        return quota != null && quota.remaining() == 0;
    }

    /** A one-line reason for the audit trail, e.g. {@code 400 request-validation: 'to' is invalid}. */
    public String reason() {
        StringBuilder s = new StringBuilder(status == 0 ? "no response" : String.valueOf(status));
        if (lost) {
            s.append(status == 0 ? " (the request may have reached the provider)" : " (cut short)");
        }
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
