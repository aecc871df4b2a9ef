package dev.pacer.audit;

import dev.pacer.flow.Attempt;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * One message's path as the history tables record it: each send attempt with the provider's answer,
 * each wait with its reason and length, and the outcome.
 *
 * @param campaign  the campaign's instance id, or null for a message submitted on its own
 * @param messageId the delivery process instance
 * @param endedAt   null while the message has not reached an outcome
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MessageTrail(String campaign, String messageId, String businessKey, String to, String priority, Integer segments,
                           Instant submittedAt, Instant deadline, Instant endedAt, String outcome, String reason,
                           String providerMessageId, List<Step> steps) {

    /**
     * One step of the path.
     *
     * @param kind    {@code attempt}, {@code wait}, {@code deadline} or {@code outcome}
     * @param what    the wait's kind (pace, Retry-After, back-off, send window, campaign paused) or the attempt's summary
     * @param millis  a wait's length (so far, if it has not ended), or the provider's answer time
     * @param count   for a pace wait: how many times the message asked for a slot in it
     * @param attempt the attempt's record, for an attempt
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Step(Instant at, String kind, String what, String reason, Long millis, Integer count, Attempt attempt) {
    }

    public String toText() {
        StringBuilder s = new StringBuilder();
        s.append("Message to ").append(to).append(" (").append(businessKey).append(", instance ").append(messageId).append(")\n");
        s.append(String.format(Locale.ROOT, "  %s, %s segments, submitted %s%s%n", priority, segments, submittedAt,
                deadline == null ? "" : ", deadline " + deadline));
        for (Step step : steps) {
            s.append("  ").append(step.at()).append("  ");
            switch (step.kind()) {
                case "attempt" -> {
                    Attempt a = step.attempt();
                    s.append(String.format(Locale.ROOT, "attempt %d%s: %s -> %s in %d ms", a.n(), a.provider() == null ? "" : " via " + a.provider(),
                            a.reason(), a.responseClass(), a.millis()));
                    if (a.providerMessageId() != null) {
                        s.append(", provider id ").append(a.providerMessageId());
                    }
                }
                case "wait" -> {
                    s.append("wait ").append(step.what()).append(' ').append(format(step.millis()));
                    if (step.count() != null && step.count() > 1) {
                        s.append(" (").append(step.count()).append(" checks)");
                    }
                    if (step.reason() != null) {
                        s.append(": ").append(step.reason());
                    }
                }
                default -> s.append(step.what()).append(step.reason() == null ? "" : ": " + step.reason());
            }
            s.append('\n');
        }
        if (endedAt == null) {
            s.append("  (no outcome yet)\n");
        }
        return s.toString();
    }

    private static String format(Long millis) {
        return millis == null ? "" : Duration.ofMillis(millis).toString().substring(2).toLowerCase(Locale.ROOT);
    }
}
