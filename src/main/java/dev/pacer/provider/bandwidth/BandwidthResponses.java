package dev.pacer.provider.bandwidth;

import dev.pacer.provider.JsonBodies;
import dev.pacer.provider.SendResult;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pacer.retry.ProviderHints;
import dev.pacer.retry.RateLimitHeaders;
import dev.pacer.retry.RetryAfter;
import dev.pacer.retry.WaitBounds;
import dev.pacer.throttle.Quota;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads a Bandwidth v2 create-message response into a {@link SendResult}: 2xx accepted, 429 a wait
 * (from {@code Retry-After}, else from the queue rate the 429 body states, else the fallback),
 * 5xx and 408 transient (with the {@code Retry-After} a 503 may carry), other 4xx a rejection.
 */
final class BandwidthResponses {

    private final WaitBounds bounds;
    private final Duration fallbackWait;

    BandwidthResponses(WaitBounds bounds, Duration fallbackWait) {
        this.bounds = bounds;
        this.fallbackWait = fallbackWait;
    }

    /**
     * @param header the response's headers, looked up case-insensitively (null when absent)
     */
    SendResult read(int status, Function<String, String> header, String body, int segments, Instant now) {
        Quota quota = RateLimitHeaders.read(header, now).orElse(null);
        JsonNode json = JsonBodies.object(body);
        String code = JsonBodies.text(json, "errorCode");
        return classify(status, header.apply("Retry-After"), header.apply("Date"), json, body, segments, now)
                .withQuota(quota)
                .withErrorCode(code == null ? JsonBodies.text(json, "code") : code);
    }

    private SendResult classify(int status, String retryAfter, String date, JsonNode json, String body, int segments, Instant now) {
        String type = JsonBodies.text(json, "type");
        String description = JsonBodies.text(json, "description");
        if (status >= 200 && status < 300) {
            String id = JsonBodies.text(json, "id");
            if (id == null) {
                // the provider took it, but the answer that names it was cut short: its id is settled by asking
                return SendResult.lost(status, "answer-cut-short", "the answer has no message id: " + abbreviate(body));
            }
            JsonNode count = json.get("segmentCount");
            return SendResult.accepted(status, id, count != null && count.canConvertToInt() ? count.asInt() : null);
        }
        if (status == 429) {
            Optional<ProviderHints.QueueLimit> stated = ProviderHints.bandwidthQueueLimit(body);
            return SendResult.rateLimited(status, bounds.clamp(waitFor429(retryAfter, date, stated, body, segments, now)), type, description)
                    .withStated(stated.orElse(null));
        }
        if (status >= 500 || status == 408) {
            // A 503 may say when to come back; the retry then waits at least that long.
            Duration told = RetryAfter.parse(retryAfter, date, now).map(bounds::clamp).orElse(null);
            return new SendResult(status, told, null, null, type, description);
        }
        // another 4xx; a 404 may come in Spring's shape
        return SendResult.failed(status, type == null ? JsonBodies.text(json, "error") : type,
                description == null ? JsonBodies.text(json, "message") : description);
    }

    private Duration waitFor429(String retryAfter, String date, Optional<ProviderHints.QueueLimit> stated, String body,
                                int segments, Instant now) {
        Optional<Duration> told = RetryAfter.parse(retryAfter, date, now);
        if (told.isPresent()) {
            return told.get();
        }
        // Bandwidth documents no Retry-After here; its body names the drain rate: wait until this
        // message's segments have drained from the full queue.
        Optional<Duration> fromQueue = stated
                .filter(q -> q.messagesPerMinute() > 0)
                .map(q -> Duration.ofMillis((long) Math.ceil(Math.max(1, segments) * 60_000d / q.messagesPerMinute())));
        return fromQueue.or(() -> ProviderHints.genesysRetrySeconds(body)).orElse(fallbackWait);
    }

    private static String abbreviate(String body) {
        if (body == null || body.isEmpty()) {
            return "(empty)";
        }
        return body.length() > 80 ? body.substring(0, 80) + "..." : body;
    }

}
