package dev.pacer.flow;

import dev.pacer.audit.TrailHistoryLevel;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.time.Instant;

/**
 * One send attempt as the trail keeps it: the process variable {@code attempt}, a short JSON text
 * whose every value history keeps ({@link TrailHistoryLevel}).
 *
 * @param n                 the attempt's number, from 1
 * @param sentAt            when the request went out
 * @param millis            how long the provider took to answer
 * @param status            the HTTP status, 0 for no response
 * @param responseClass     what the response rules made of it: ACCEPTED, RATE_LIMITED, TRANSIENT or PERMANENT
 * @param errorType         the provider's error type, or null
 * @param errorCode         the provider's error code, or null
 * @param reason            the response in one line
 * @param providerMessageId the provider's id of the message, when it took it
 * @param retryAfterMillis  the wait the provider told, or null
 * @param statedPerMinute   the rate a 429's body stated (Bandwidth: "Your allowed rate is N messages per minute"), or null
 * @param provider          the provider account the attempt went through (a campaign's fallback, after a failover), or null
 *                          in records written before it was kept
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Attempt(int n, Instant sentAt, long millis, int status, String responseClass, String errorType, String errorCode,
                      String reason, String providerMessageId, Long retryAfterMillis, Integer statedPerMinute,
                      String provider) {

    private static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Attempt parse(String json) {
        try {
            return JSON.readValue(json, Attempt.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not an attempt record: " + json, e);
        }
    }
}
