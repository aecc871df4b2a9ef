package dev.pacer.audit;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * A campaign's outcome as the history tables record it.
 *
 * @param recipients               rows in the audience, duplicates included
 * @param messages                 distinct recipients, each one message
 * @param segments                 segments of every valid message
 * @param theoreticalMinimumSeconds accepted segments divided by the provider's configured rate
 */
public record CampaignReport(String campaign, String campaignId, int recipients, int duplicates, long messages,
                             long segments, Map<String, Long> outcomes, long sendAttempts, long rateLimitedResponses,
                             long transientFailures, Instant startedAt, Instant finishedAt, double makespanSeconds,
                             double theoreticalMinimumSeconds, long pending) {

    @JsonProperty("makespanRatio")
    public double makespanRatio() {
        return theoreticalMinimumSeconds <= 0 ? 0 : makespanSeconds / theoreticalMinimumSeconds;
    }

    public String toText() {
        StringBuilder s = new StringBuilder();
        s.append("Campaign ").append(campaign).append(" (").append(campaignId).append(")\n");
        s.append(String.format(Locale.ROOT, "  recipients %d (%d duplicates skipped), messages %d, segments %d%n",
                recipients, duplicates, messages, segments));
        s.append("  outcomes  ");
        outcomes.forEach((k, v) -> s.append(k).append(' ').append(v).append("  "));
        s.append('\n');
        s.append(String.format(Locale.ROOT, "  send attempts %d, 429 responses %d, transient failures %d%n",
                sendAttempts, rateLimitedResponses, transientFailures));
        s.append(String.format(Locale.ROOT, "  started %s, finished %s%n", startedAt, finishedAt));
        s.append(String.format(Locale.ROOT, "  makespan %.1f s, theoretical minimum %.1f s (ratio %.3f)%n",
                makespanSeconds, theoreticalMinimumSeconds, makespanRatio()));
        if (pending > 0) {
            s.append("  ").append(pending).append(" messages have not reached an outcome yet\n");
        }
        return s.toString();
    }

    static double seconds(Instant from, Instant to) {
        return from == null || to == null ? 0 : Duration.between(from, to).toMillis() / 1000d;
    }
}
