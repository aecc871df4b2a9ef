package dev.pacer.audit;

import dev.pacer.delivery.BatchedMessages;
import dev.pacer.flow.Activities;
import dev.pacer.flow.Processes;

import dev.pacer.flow.Attempt;
import dev.pacer.flow.Wait;

import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.pacer.flow.MessageVariables.ATTEMPT;
import static dev.pacer.flow.MessageVariables.DEADLINE;
import static dev.pacer.flow.MessageVariables.OUTCOME;
import static dev.pacer.flow.MessageVariables.PRIORITY;
import static dev.pacer.flow.MessageVariables.PROVIDER_MESSAGE_ID;
import static dev.pacer.flow.MessageVariables.REASON;
import static dev.pacer.flow.MessageVariables.SEGMENTS;
import static dev.pacer.flow.MessageVariables.TO;
import static dev.pacer.flow.MessageVariables.WAIT_REASON;

/**
 * Reads one message's trail ({@link MessageTrail}) from {@code ACT_HI_ACTINST} (the steps and how
 * long each wait lasted) and {@code ACT_HI_DETAIL} (every attempt record and wait reason, kept by
 * the {@link TrailHistoryLevel}), joined on the activity instance that set them; a message a
 * campaign's batch ended has no instance, and its trail is its row in {@link BatchedMessages}.
 */
public class TrailReader {

    private final JdbcTemplate jdbc;
    private final Clock clock;

    public TrailReader(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** The message of campaign instance {@code campaignId} to {@code number} (E.164, as the campaign was sent). */
    public Optional<String> findMessage(String campaignId, String number) {
        List<String> ids = jdbc.queryForList("select p.PROC_INST_ID_ from ACT_HI_PROCINST p join ACT_HI_VARINST v "
                + "on v.PROC_INST_ID_ = p.PROC_INST_ID_ and v.NAME_ = ? and v.TEXT_ = ? "
                + "where p.PROC_DEF_KEY_ = ? and p.BUSINESS_KEY_ like ? order by p.START_TIME_", String.class,
                TO.name(), normalize(number), Processes.DELIVERY, Processes.messageKeys(campaignId));
        if (ids.isEmpty()) {
            ids = jdbc.queryForList("select KEY_ from " + BatchedMessages.TABLE + " where CAMPAIGN_ID_ = ? and TO_ = ?", String.class,
                    campaignId, normalize(number));
        }
        return ids.stream().findFirst();
    }

    /** A message by its business key (the newest with it) or its process instance id. */
    public Optional<String> findMessage(String keyOrId) {
        List<String> ids = jdbc.queryForList("select PROC_INST_ID_ from ACT_HI_PROCINST where PROC_DEF_KEY_ = ? "
                + "and (BUSINESS_KEY_ = ? or PROC_INST_ID_ = ?) order by START_TIME_ desc", String.class, Processes.DELIVERY, keyOrId, keyOrId);
        if (ids.isEmpty()) {
            ids = jdbc.queryForList("select KEY_ from " + BatchedMessages.TABLE + " where KEY_ = ?", String.class, keyOrId);
        }
        return ids.stream().findFirst();
    }

    /** Spaces, dashes, dots and brackets are dropped, as people write numbers: {@code +1 (202) 555-0101}. */
    static String normalize(String number) {
        return number.replaceAll("[\\s().-]", "");
    }

    /** The trail of delivery instance {@code messageId}, or empty when history has no such message. */
    public Optional<MessageTrail> read(String messageId) {
        List<Map<String, Object>> instance = jdbc.queryForList("select BUSINESS_KEY_, START_TIME_, END_TIME_ from ACT_HI_PROCINST "
                + "where PROC_INST_ID_ = ? and PROC_DEF_KEY_ = ?", messageId, Processes.DELIVERY);
        if (instance.isEmpty()) {
            return batched(messageId);
        }
        Map<String, Object> vars = new HashMap<>();
        // a variable removed (the reason of a failed attempt, once the message is accepted) keeps its row, DELETED
        jdbc.query("select NAME_, VAR_TYPE_, TEXT_, LONG_ from ACT_HI_VARINST where PROC_INST_ID_ = ? and STATE_ = 'CREATED'", rs -> {
            vars.put(rs.getString(1), "string".equals(rs.getString(2)) ? rs.getString(3) : rs.getObject(4));
        }, messageId);
        Map<String, List<String[]>> details = new HashMap<>();
        jdbc.query("select ACT_INST_ID_, NAME_, TEXT_ from ACT_HI_DETAIL where PROC_INST_ID_ = ? and TYPE_ = 'VariableUpdate' "
                + "order by TIME_, SEQUENCE_COUNTER_", rs -> {
            details.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new String[]{rs.getString(2), rs.getString(3)});
        }, messageId);
        List<MessageTrail.Step> steps = new ArrayList<>();
        String waitReason = null;
        MessageTrail.Step pace = null;
        List<Map<String, Object>> activities = jdbc.queryForList("select ID_, ACT_ID_, START_TIME_, END_TIME_ from ACT_HI_ACTINST "
                + "where PROC_INST_ID_ = ? order by START_TIME_, SEQUENCE_COUNTER_", messageId);
        // what the message started with: the attempt a campaign's batch made before it went on as an instance
        Map<String, List<String[]>> unattached = new HashMap<>(details);
        activities.forEach(act -> unattached.remove((String) act.get("ID_")));
        for (List<String[]> started : unattached.values()) {
            for (String[] d : started) {
                if (ATTEMPT.name().equals(d[0]) && d[1] != null) {
                    Attempt attempt = Attempt.parse(d[1]);
                    steps.add(new MessageTrail.Step(attempt.sentAt(), "attempt", "send", null, null, null, attempt));
                } else if (WAIT_REASON.name().equals(d[0])) {
                    waitReason = d[1];
                }
            }
        }
        for (Map<String, Object> act : activities) {
            String activity = (String) act.get("ACT_ID_");
            Instant start = instant(act.get("START_TIME_"));
            Instant end = instant(act.get("END_TIME_"));
            long millis = Duration.between(start, end == null ? clock.instant() : end).toMillis();
            Optional<Wait> waited = Wait.ofActivity(activity);
            if (waited.equals(Optional.of(Wait.PACE)) && pace != null) {
                // a bulk message asks again and again while the queue ahead is long: one wait
                pace = new MessageTrail.Step(pace.at(), "wait", pace.what(), null, pace.millis() + millis, pace.count() + 1, null);
                steps.set(steps.size() - 1, pace);
                continue;
            }
            if (!Activities.THROTTLE.equals(activity)) {
                pace = null; // asking for the slot again does not end the pace wait; anything else does
            }
            for (String[] d : details.getOrDefault((String) act.get("ID_"), List.of())) {
                if (WAIT_REASON.name().equals(d[0])) {
                    waitReason = d[1];
                } else if (ATTEMPT.name().equals(d[0]) && d[1] != null) {
                    steps.add(new MessageTrail.Step(start, "attempt", "send", null, null, null, Attempt.parse(d[1])));
                }
            }
            if (waited.isPresent()) {
                boolean paced = waited.get() == Wait.PACE;
                MessageTrail.Step wait = new MessageTrail.Step(start, "wait", waited.get().trailName(), paced ? null : waitReason, millis,
                        paced ? 1 : null, null);
                steps.add(wait);
                pace = paced ? wait : null;
            } else if (Activities.DEADLINE.equals(activity)) {
                steps.add(new MessageTrail.Step(start, "deadline", "the deadline passed", null, null, null, null));
            } else if (Activities.isOutcomeEnd(activity)) {
                steps.add(new MessageTrail.Step(start, "outcome", String.valueOf(vars.get(OUTCOME.name())), (String) vars.get(REASON.name()),
                        null, null, null));
            }
        }
        Map<String, Object> p = instance.get(0);
        String key = (String) p.get("BUSINESS_KEY_");
        return Optional.of(new MessageTrail(Processes.campaignOf(key), messageId, key, TO.of(vars.get(TO.name())),
                (String) vars.get(PRIORITY.name()), SEGMENTS.of(vars.get(SEGMENTS.name())), instant(p.get("START_TIME_")),
                epoch(vars.get(DEADLINE.name())), instant(p.get("END_TIME_")), (String) vars.get(OUTCOME.name()),
                (String) vars.get(REASON.name()), (String) vars.get(PROVIDER_MESSAGE_ID.name()), steps));
    }

    /** The trail of a message a campaign's batch ended ({@link BatchedMessages}, by its key): its attempt and its outcome. */
    private Optional<MessageTrail> batched(String key) {
        List<Map<String, Object>> rows = jdbc.queryForList("select * from " + BatchedMessages.TABLE + " where KEY_ = ?", key);
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Object> m = rows.get(0);
        Instant ended = instant(m.get("ENDED_AT_"));
        List<MessageTrail.Step> steps = new ArrayList<>();
        String attempt = (String) m.get("ATTEMPT_");
        if (attempt != null) {
            Attempt a = Attempt.parse(attempt);
            steps.add(new MessageTrail.Step(a.sentAt(), "attempt", "send", null, null, null, a));
        }
        steps.add(new MessageTrail.Step(ended, "outcome", (String) m.get("OUTCOME_"), (String) m.get("REASON_"), null, null, null));
        return Optional.of(new MessageTrail((String) m.get("CAMPAIGN_ID_"), key, key, (String) m.get("TO_"), (String) m.get("PRIORITY_"),
                ((Number) m.get("SEGMENTS_")).intValue(), instant(m.get("SUBMITTED_AT_")), instant(m.get("DEADLINE_")), ended,
                (String) m.get("OUTCOME_"), (String) m.get("REASON_"), (String) m.get("PROVIDER_MESSAGE_ID_"), steps));
    }

    private static Instant instant(Object timestamp) {
        return timestamp == null ? null : ((Timestamp) timestamp).toInstant();
    }

    /** A date variable's value: its milliseconds in {@code LONG_}. */
    private static Instant epoch(Object millis) {
        return millis instanceof Number n ? Instant.ofEpochMilli(n.longValue()) : null;
    }
}
