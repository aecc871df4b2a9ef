package dev.pacer.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * A campaign's outcome as the history tables record it.
 *
 * @param recipients                rows in the audience, duplicates included
 * @param messages                  distinct recipients, each one message
 * @param segments                  segments of every valid message
 * @param acceptedSegments          segments the provider took
 * @param rateLimitedResponses      429s the provider answered
 * @param rateLimitWaitSeconds      time messages spent in the Wait Retry-After step: told waits after their own 429,
 *                                  scopes held after another send's 429, and (short) retries at the in-flight limit
 * @param retriesByCause            waits before a send was tried again, by cause: {@code 429}, {@code scope held},
 *                                  {@code in-flight limit}, or the failed attempt's HTTP status (a back-off)
 * @param waits                     every kind of wait: how many and how long in all (pace, Retry-After, back-off,
 *                                  send window, paused)
 * @param configuredSegmentsPerMinute the provider's configured limit
 * @param statedSegmentsPerMinute   the lowest rate the provider stated in a 429's body during the campaign, or null
 * @param theoreticalMinimumSeconds accepted segments divided by the configured limit, or by the stated rate where
 *                                  the provider stated a lower one
 * @param inDoubt                   messages a send of which was in doubt (its answer lost), by how the last such was
 *                                  settled: {@code SENT} (the provider had it), {@code NOT_SENT} (it had not: sent
 *                                  again), {@code RESENT} / {@code SKIPPED} (it could not tell: the onDoubt policy),
 *                                  {@code UNSETTLED} (the message ended first)
 * @param chart                     where the campaign's chart was written, when it was
 * @param simulated                 whether the built-in simulator stood in for the provider: nothing reached a recipient
 * @param limitUnit                 what the provider's limit counts, {@code segments} (Bandwidth, Twilio) or {@code requests}
 *                                  (Genesys Cloud): the configured and stated rates, the minimum and the achieved rate are
 *                                  in it (for requests, the accepted messages stand for the accepted segments)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CampaignReport(String campaign, String campaignId, String provider, int recipients, int duplicates, long messages,
                             long segments, long acceptedSegments, Map<String, Long> outcomes, long sendAttempts,
                             long rateLimitedResponses, double rateLimitWaitSeconds, long transientFailures,
                             Map<String, Long> retriesByCause, Map<String, WaitTotal> waits, Instant startedAt, Instant finishedAt,
                             double makespanSeconds, int configuredSegmentsPerMinute, Integer statedSegmentsPerMinute,
                             double theoreticalMinimumSeconds,
                             long pending, Map<String, Long> inDoubt, String chart, boolean simulated, String limitUnit) {

    /** What a limit in segments counts. */
    public static final String SEGMENTS = "segments";
    /** What a limit in requests counts: one per message. */
    public static final String REQUESTS = "requests";

    /** How many waits of one kind the campaign's messages went through, and their total length. */
    public record WaitTotal(long count, double seconds) {
    }

    @JsonProperty("makespanRatio")
    public double makespanRatio() {
        return theoreticalMinimumSeconds <= 0 ? 0 : makespanSeconds / theoreticalMinimumSeconds;
    }

    /** Accepted segments (or, for a limit in requests, accepted messages) per minute over the makespan. */
    @JsonProperty("achievedSegmentsPerMinute")
    public double achievedSegmentsPerMinute() {
        long accepted = REQUESTS.equals(limitUnit) ? java.util.stream.Stream.of("ACCEPTED", "DELIVERED", "FAILED")
                .mapToLong(o -> outcomes.getOrDefault(o, 0L)).sum() : acceptedSegments;
        return makespanSeconds <= 0 ? 0 : accepted * 60 / makespanSeconds;
    }

    /** Whether the provider stated a rate below the configured limit, which the minimum is then measured against. */
    private boolean limitedByStatement() {
        return statedSegmentsPerMinute != null && statedSegmentsPerMinute < configuredSegmentsPerMinute;
    }

    public CampaignReport withChart(String chart) {
        return new CampaignReport(campaign, campaignId, provider, recipients, duplicates, messages, segments, acceptedSegments, outcomes,
                sendAttempts, rateLimitedResponses, rateLimitWaitSeconds, transientFailures, retriesByCause, waits, startedAt,
                finishedAt, makespanSeconds, configuredSegmentsPerMinute, statedSegmentsPerMinute, theoreticalMinimumSeconds, pending, inDoubt, chart,
                simulated, limitUnit);
    }

    public String toText() {
        StringBuilder s = new StringBuilder();
        s.append("Campaign ").append(campaign).append(" (").append(campaignId).append(")\n");
        if (simulated) {
            s.append("  SIMULATED: sent to the built-in simulator, not to ").append(provider).append("; no recipient got a message\n");
        }
        s.append(String.format(Locale.ROOT, "  recipients %d (%d duplicates skipped), messages %d, segments %d (%d accepted)%n",
                recipients, duplicates, messages, segments, acceptedSegments));
        s.append("  outcomes  ");
        outcomes.forEach((k, v) -> s.append(k).append(' ').append(v).append("  "));
        s.append('\n');
        s.append(String.format(Locale.ROOT, "  send attempts %d, 429 responses %d (%.1f s waited after 429s), transient failures %d%n",
                sendAttempts, rateLimitedResponses, rateLimitWaitSeconds, transientFailures));
        if (!retriesByCause.isEmpty()) {
            s.append("  retries by cause  ");
            retriesByCause.forEach((k, v) -> s.append(k).append(' ').append(v).append("  "));
            s.append('\n');
        }
        if (!waits.isEmpty()) {
            s.append("  waits  ");
            waits.forEach((k, v) -> s.append(String.format(Locale.ROOT, "%s %d (%.1f s)  ", k, v.count(), v.seconds())));
            s.append('\n');
        }
        s.append(String.format(Locale.ROOT, "  started %s, finished %s%n", startedAt, finishedAt));
        s.append(String.format(Locale.ROOT, "  makespan %.1f s, theoretical minimum %.1f s (ratio %.3f)%s%n",
                makespanSeconds, theoreticalMinimumSeconds, makespanRatio(), limitedByStatement()
                        ? ", at the " + statedSegmentsPerMinute + " per minute the provider stated" : ""));
        s.append(String.format(Locale.ROOT, "  achieved %.0f %s/min against a configured limit of %d (%.0f%%)%n",
                achievedSegmentsPerMinute(), limitUnit == null ? SEGMENTS : limitUnit, configuredSegmentsPerMinute,
                configuredSegmentsPerMinute == 0 ? 0 : 100 * achievedSegmentsPerMinute() / configuredSegmentsPerMinute));
        if (!inDoubt.isEmpty()) {
            s.append("  in doubt (answer lost) ").append(inDoubt.values().stream().mapToLong(Long::longValue).sum()).append(", settled  ");
            inDoubt.forEach((k, v) -> s.append(k).append(' ').append(v).append("  "));
            s.append('\n');
        }
        if (pending > 0) {
            s.append("  ").append(pending).append(" messages have not reached an outcome yet\n");
        }
        if (chart != null) {
            s.append("  chart ").append(chart).append('\n');
        }
        return s.toString();
    }

    static double seconds(Instant from, Instant to) {
        return from == null || to == null ? 0 : Duration.between(from, to).toMillis() / 1000d;
    }
}
