package dev.pacer.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.Map;

/**
 * Where a campaign stands, cheap enough to ask every second while it runs: its state and how many
 * of its messages have reached an outcome. {@code pacer status} prints it; the full report is
 * {@code /api/campaigns/NAME/report}.
 *
 * @param state       {@code RUNNING}, {@code PAUSED} or {@code CANCELLED} while the instance runs (a cancelled one
 *                    runs until its messages in flight end), {@code FINISHED} once it has ended
 * @param pauseReason why the campaign paused itself (its provider refused the account), when it did
 * @param recipients  rows in the audience, duplicates included
 * @param messages    the messages it sends: one per distinct number
 * @param dispatched  rows started so far (duplicates included)
 * @param done        messages that have reached an outcome (rows a cancel left undispatched included)
 * @param inFlight    messages started and not yet at an outcome
 * @param outcomes    the outcomes reached so far, by outcome
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CampaignStatus(String campaign, String campaignId, String state, String pauseReason, Instant startedAt,
                             Instant endedAt, int recipients, int duplicates, int messages, int dispatched, long done,
                             long inFlight, Map<String, Long> outcomes, boolean simulated) {

    public static final String FINISHED = "FINISHED";
}
