package dev.pacer.webhook;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One event the downstream webhook is told of, as the JSON body of its {@code POST}. Events of one
 * kind about one thing that pile up while the webhook is behind are folded into one: a campaign's
 * failed messages are counted ({@code count}, with up to ten {@code samples}), a scope's pauses keep
 * the latest end.
 *
 * @param type     {@code campaign.finished}, {@code messages.failed}, {@code scope.paused} or {@code reply.received}
 *                 (replies that are no keyword, folded per account)
 * @param campaign the campaign's name (a business key), or null
 * @param subject  what it is about: the campaign's instance id, or the scope
 * @param count    how many occurrences it stands for
 * @param until    for a pause, when it ends
 * @param detail   a line saying why, or the campaign's outcomes
 * @param samples  for failed messages, some of them: key, outcome and reason
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CampaignEvent(String type, Instant at, String campaign, String subject, long count, Instant until, String detail,
                            Map<String, Long> outcomes, List<String> samples) {

    public static final String CAMPAIGN_FINISHED = "campaign.finished";
    public static final String MESSAGES_FAILED = "messages.failed";
    public static final String SCOPE_PAUSED = "scope.paused";
    public static final String REPLY_RECEIVED = "reply.received";
    static final int SAMPLES = 10;

    /** What events are folded by: events with the same key are one while they wait. */
    String key() {
        return type + "|" + subject;
    }

    /** This event with {@code later}, of the same key, folded into it. */
    CampaignEvent fold(CampaignEvent later) {
        List<String> merged = samples;
        if (later.samples != null) {
            merged = new java.util.ArrayList<>(samples == null ? List.of() : samples);
            for (String s : later.samples) {
                if (merged.size() < SAMPLES) {
                    merged.add(s);
                }
            }
        }
        Instant end = until == null || (later.until != null && later.until.isAfter(until)) ? later.until : until;
        return new CampaignEvent(type, later.at, later.campaign != null ? later.campaign : campaign, subject, count + later.count, end,
                later.detail, later.outcomes != null ? later.outcomes : outcomes, merged == null ? null : List.copyOf(merged));
    }
}
