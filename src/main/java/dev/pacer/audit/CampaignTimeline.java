package dev.pacer.audit;

import dev.pacer.flow.Activities;
import dev.pacer.flow.CampaignVariables;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the campaign chart shows, read from history: every send attempt (when, the HTTP status,
 * the message's segments), the messages delivered (their receipts, with receipts on), the pauses,
 * and the configured limit.
 *
 * @param start the campaign's start, time zero of the chart
 * @param end             the last message's outcome (or the last attempt while it runs)
 * @param statedPerMinute the lowest rate the provider stated in a 429's body, or null
 */
public record CampaignTimeline(String campaign, Instant start, Instant end, int segmentsPerMinute, Integer statedPerMinute,
                               List<Send> sends, List<Pause> pauses, List<Delivered> delivered) {

    /** A message its receipt says was delivered, when the receipt was recorded. */
    public record Delivered(Instant at, int segments) {
    }

    /** One send attempt. */
    public record Send(Instant at, int status, int segments) {
    }

    /** The campaign was paused from {@code from} to {@code to} (null: still paused at the end). */
    public record Pause(Instant from, Instant to) {
    }

    /** Reads the timeline of campaign instance {@code campaignId}. */
    public static CampaignTimeline read(ReportReader reports, String campaignId) {
        var jdbc = reports.jdbc();
        var campaign = jdbc.queryForMap("select BUSINESS_KEY_, START_TIME_, END_TIME_ from ACT_HI_PROCINST where PROC_INST_ID_ = ?", campaignId);
        List<Send> sends = new ArrayList<>();
        Integer[] stated = {null};
        reports.attempts(campaignId, (a, segments) -> {
            sends.add(new Send(a.sentAt(), a.status(), segments));
            if (a.statedPerMinute() != null && (stated[0] == null || a.statedPerMinute() < stated[0])) {
                stated[0] = a.statedPerMinute();
            }
        });
        sends.sort((a, b) -> a.at().compareTo(b.at()));
        List<Pause> pauses = new ArrayList<>();
        Instant pausedAt = null;
        // pauses by BPMN message (the event subprocesses' tasks) and by request (lastControl: "pause by ..."), in time order
        List<Map.Entry<Instant, Boolean>> controls = new ArrayList<>();
        for (var act : jdbc.queryForList("select ACT_ID_, START_TIME_ from ACT_HI_ACTINST where PROC_INST_ID_ = ? "
                + "and ACT_ID_ in (?, ?, ?)", campaignId, Activities.PAUSE, Activities.RESUME, Activities.CANCEL)) {
            controls.add(Map.entry(((Timestamp) act.get("START_TIME_")).toInstant(), Activities.PAUSE.equals(act.get("ACT_ID_"))));
        }
        for (var detail : jdbc.queryForList("select TEXT_, TIME_ from ACT_HI_DETAIL where PROC_INST_ID_ = ? and NAME_ = ?", campaignId,
                CampaignVariables.LAST_CONTROL.name())) {
            controls.add(Map.entry(((Timestamp) detail.get("TIME_")).toInstant(), String.valueOf(detail.get("TEXT_")).startsWith("pause ")));
        }
        controls.sort(Map.Entry.comparingByKey());
        for (var control : controls) {
            Instant at = control.getKey();
            if (control.getValue()) {
                pausedAt = pausedAt == null ? at : pausedAt;
            } else if (pausedAt != null) {
                pauses.add(new Pause(pausedAt, at));
                pausedAt = null;
            }
        }
        Instant lastEnd = reports.lastOutcomeAt(campaignId);
        Instant start = ((Timestamp) campaign.get("START_TIME_")).toInstant();
        // while the campaign runs, attempts go on after the first messages have ended
        Instant end = sends.isEmpty() ? start : sends.get(sends.size() - 1).at();
        if (lastEnd != null && lastEnd.isAfter(end)) {
            end = lastEnd;
        }
        if (pausedAt != null) {
            pauses.add(new Pause(pausedAt, null));
        }
        String provider = reports.provider(campaignId);
        List<Delivered> delivered = new ArrayList<>();
        reports.delivered(campaignId, (at, segments) -> delivered.add(new Delivered(at, segments)));
        return new CampaignTimeline((String) campaign.get("BUSINESS_KEY_"), start, end,
                provider == null ? 0 : reports.limit(campaignId, provider), stated[0], sends, pauses, delivered);
    }

    /** Seconds from the start to {@code at}. */
    public double offset(Instant at) {
        return Duration.between(start, at).toMillis() / 1000d;
    }
}
