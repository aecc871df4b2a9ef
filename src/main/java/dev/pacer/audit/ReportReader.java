package dev.pacer.audit;

import dev.pacer.delivery.BatchedMessages;
import dev.pacer.flow.Attempt;
import dev.pacer.flow.Wait;
import dev.pacer.flow.WaitReason;

import dev.pacer.flow.Outcome;
import dev.pacer.flow.Processes;
import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.function.ToIntFunction;

import static dev.pacer.flow.CampaignVariables.CAMPAIGN;
import static dev.pacer.flow.CampaignVariables.CANCELLED_UNDISPATCHED;
import static dev.pacer.flow.CampaignVariables.DUPLICATES;
import static dev.pacer.flow.CampaignVariables.ROWS;
import static dev.pacer.flow.CampaignVariables.SIMULATED;
import static dev.pacer.flow.MessageVariables.ATTEMPT;
import static dev.pacer.flow.MessageVariables.ATTEMPTS;
import static dev.pacer.flow.MessageVariables.DOUBT;
import static dev.pacer.flow.MessageVariables.FAILURES;
import static dev.pacer.flow.MessageVariables.OUTCOME;
import static dev.pacer.flow.MessageVariables.PROVIDER;
import static dev.pacer.flow.MessageVariables.RATE_LIMITED;
import static dev.pacer.flow.MessageVariables.SEGMENTS;
import static dev.pacer.flow.MessageVariables.WAIT_REASON;

/**
 * Reads campaign reports from Camunda's history tables ({@code ACT_HI_PROCINST}, {@code ACT_HI_VARINST},
 * {@code ACT_HI_ACTINST}, {@code ACT_HI_DETAIL}), so that a report is the same after a restart as at
 * the end of the run. Messages are the {@code delivery} instances whose business key starts with
 * {@code <campaign instance id>/}, and the rows of {@link BatchedMessages} (those a batch ended). Every name it looks for comes from the flow contract ({@code dev.pacer.flow}).
 */
public class ReportReader {

    private final JdbcTemplate jdbc;
    private final ToIntFunction<String> segmentsPerMinute;
    private final Predicate<String> countsRequests;

    /** @param segmentsPerMinute a provider's configured rate in segments, which the theoretical minimum is measured against */
    public ReportReader(JdbcTemplate jdbc, ToIntFunction<String> segmentsPerMinute) {
        this(jdbc, segmentsPerMinute, provider -> false);
    }

    /**
     * @param perMinute      a provider account's configured rate, in what its limit counts
     * @param countsRequests whether an account's limit counts requests (Genesys Cloud), not segments
     */
    public ReportReader(JdbcTemplate jdbc, ToIntFunction<String> perMinute, Predicate<String> countsRequests) {
        this.countsRequests = countsRequests;
        this.jdbc = jdbc;
        this.segmentsPerMinute = perMinute;
    }

    JdbcTemplate jdbc() {
        return jdbc;
    }

    /** The configured rate of {@code provider}, segments per minute. */
    public int segmentsPerMinute(String provider) {
        return segmentsPerMinute.applyAsInt(provider);
    }

    /**
     * The limit the campaign was sent at: its provider account's configured rate, or the campaign's
     * own cap ({@code maxRate}) when that is lower. What its report's minimum and its chart measure against.
     */
    int limit(String campaignId, String provider) {
        int account = segmentsPerMinute(provider);
        List<String> specs = jdbc.queryForList("select TEXT_ from ACT_HI_VARINST where PROC_INST_ID_ = ? and NAME_ = ?", String.class,
                campaignId, CAMPAIGN.name());
        if (specs.isEmpty() || specs.get(0) == null) {
            return account;
        }
        try {
            com.fasterxml.jackson.databind.JsonNode maxRate = new com.fasterxml.jackson.databind.ObjectMapper().readTree(specs.get(0)).path("maxRate");
            return maxRate.isInt() && maxRate.asInt() > 0 && maxRate.asInt() < account ? maxRate.asInt() : account;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return account;
        }
    }

    /** The provider the campaign's messages go through (one per campaign), or null before any message. */
    String provider(String campaignId) {
        String batched = jdbc.queryForObject("select max(PROVIDER_) from " + BatchedMessages.TABLE + " where CAMPAIGN_ID_ = ?", String.class,
                campaignId);
        return batched != null ? batched : jdbc.queryForObject("select max(v.TEXT_) from ACT_HI_PROCINST p join ACT_HI_VARINST v on v.PROC_INST_ID_ = p.PROC_INST_ID_ "
                + "where p.PROC_DEF_KEY_ = ? and p.BUSINESS_KEY_ like ? and v.NAME_ = ?", String.class, Processes.DELIVERY,
                Processes.messageKeys(campaignId), PROVIDER.name());
    }

    /** When the campaign's last message to end reached its outcome, or null while none has. */
    Instant lastOutcomeAt(String campaignId) {
        Timestamp last = jdbc.queryForObject("select max(END_TIME_) from ACT_HI_PROCINST where PROC_DEF_KEY_ = ? "
                + "and BUSINESS_KEY_ like ?", Timestamp.class, Processes.DELIVERY, Processes.messageKeys(campaignId));
        Timestamp batched = jdbc.queryForObject("select max(ENDED_AT_) from " + BatchedMessages.TABLE + " where CAMPAIGN_ID_ = ?",
                Timestamp.class, campaignId);
        if (last == null || (batched != null && batched.after(last))) {
            last = batched;
        }
        return last == null ? null : last.toInstant();
    }

    /** The newest campaign instance with this name (business key), or with this instance id. */
    public Optional<String> findCampaign(String nameOrId) {
        List<String> ids = jdbc.queryForList("select PROC_INST_ID_ from ACT_HI_PROCINST where PROC_DEF_KEY_ = ? "
                + "and (BUSINESS_KEY_ = ? or PROC_INST_ID_ = ?) order by START_TIME_ desc", String.class, Processes.CAMPAIGN, nameOrId, nameOrId);
        return ids.stream().findFirst();
    }

    /** The report of a campaign instance, finished or not, from what history holds. */
    public CampaignReport read(String campaignId) {
        Map<String, Object> campaign = jdbc.queryForMap("select BUSINESS_KEY_, START_TIME_ from ACT_HI_PROCINST where PROC_INST_ID_ = ?", campaignId);
        Map<String, Long> vars = new TreeMap<>();
        // a boolean's value is its LONG_ (1 for true)
        jdbc.query("select NAME_, LONG_ from ACT_HI_VARINST where PROC_INST_ID_ = ? and NAME_ in (?, ?, ?)",
                rs -> {
                    vars.put(rs.getString(1), rs.getLong(2));
                }, campaignId, ROWS.name(), DUPLICATES.name(), SIMULATED.name());
        Instant started = ((Timestamp) campaign.get("START_TIME_")).toInstant();
        return read(campaignId, (String) campaign.get("BUSINESS_KEY_"), started, vars.getOrDefault(ROWS.name(), 0L).intValue(),
                vars.getOrDefault(DUPLICATES.name(), 0L).intValue(), vars.getOrDefault(SIMULATED.name(), 0L) == 1);
    }

    public CampaignReport read(String campaignId, String name, Instant startedAt, int rows, int duplicates, boolean simulated) {
        // Joins, not "in (subquery)": H2 evaluates such a subquery once per row, which is quadratic
        // in a campaign's size (a 100,000-message report took many minutes).
        String messages = " from ACT_HI_PROCINST p join ACT_HI_VARINST v on v.PROC_INST_ID_ = p.PROC_INST_ID_ "
                + "where p.PROC_DEF_KEY_ = ? and p.BUSINESS_KEY_ like ? and ";
        String prefix = Processes.messageKeys(campaignId);
        Map<String, Long> outcomes = new TreeMap<>();
        jdbc.query("select v.TEXT_, count(*)" + messages + "v.NAME_ = ? group by v.TEXT_",
                rs -> {
                    outcomes.put(rs.getString(1), rs.getLong(2));
                }, Processes.DELIVERY, prefix, OUTCOME.name());
        Map<String, Long> inDoubt = new TreeMap<>();
        jdbc.query("select v.TEXT_, count(*)" + messages + "v.NAME_ = ? and v.TEXT_ is not null group by v.TEXT_",
                rs -> {
                    inDoubt.put(rs.getString(1), rs.getLong(2));
                }, Processes.DELIVERY, prefix, DOUBT.name());
        Map<String, Long> sums = new TreeMap<>();
        jdbc.query("select v.NAME_, sum(v.LONG_)" + messages + "v.NAME_ in (?, ?, ?, ?) group by v.NAME_", rs -> {
                    sums.put(rs.getString(1), rs.getLong(2));
                }, Processes.DELIVERY, prefix, SEGMENTS.name(), ATTEMPTS.name(), RATE_LIMITED.name(), FAILURES.name());
        // the messages a batch ended, which have no instance
        Long[] batchedAccepted = {0L};
        jdbc.query("select OUTCOME_, count(*), sum(SEGMENTS_), sum(ATTEMPTS_), sum(RATE_LIMITED_), sum(FAILURES_) from "
                + BatchedMessages.TABLE + " where CAMPAIGN_ID_ = ? group by OUTCOME_", rs -> {
                    String outcome = rs.getString(1);
                    outcomes.merge(outcome, rs.getLong(2), Long::sum);
                    sums.merge(SEGMENTS.name(), rs.getLong(3), Long::sum);
                    sums.merge(ATTEMPTS.name(), rs.getLong(4), Long::sum);
                    sums.merge(RATE_LIMITED.name(), rs.getLong(5), Long::sum);
                    sums.merge(FAILURES.name(), rs.getLong(6), Long::sum);
                    if (Outcome.tookIt(outcome)) {
                        batchedAccepted[0] += rs.getLong(3);
                    }
                }, campaignId);
        String provider = provider(campaignId);
        // a message the provider took ends ACCEPTED, or with receipts on DELIVERED or FAILED (at the carrier)
        Long acceptedSegments = jdbc.queryForObject("select coalesce(sum(s.LONG_), 0) from ACT_HI_PROCINST p "
                + "join ACT_HI_VARINST v on v.PROC_INST_ID_ = p.PROC_INST_ID_ and v.NAME_ = ? and v.TEXT_ in (?, ?, ?) "
                + "join ACT_HI_VARINST s on s.PROC_INST_ID_ = p.PROC_INST_ID_ and s.NAME_ = ? "
                + "where p.PROC_DEF_KEY_ = ? and p.BUSINESS_KEY_ like ?", Long.class, OUTCOME.name(), Outcome.ACCEPTED.name(),
                Outcome.DELIVERED.name(), Outcome.FAILED.name(), SEGMENTS.name(), Processes.DELIVERY, prefix) + batchedAccepted[0];
        Instant finished = lastOutcomeAt(campaignId);
        Map<String, CampaignReport.WaitTotal> waits = new TreeMap<>();
        jdbc.query("select a.ACT_ID_, count(*), coalesce(sum(a.DURATION_), 0) from ACT_HI_ACTINST a join ACT_HI_PROCINST p "
                + "on p.PROC_INST_ID_ = a.PROC_INST_ID_ where p.PROC_DEF_KEY_ = ? and p.BUSINESS_KEY_ like ? "
                + "and a.ACT_ID_ in ('" + String.join("', '", Arrays.stream(Wait.values()).map(Wait::activityId).toList())
                + "') group by a.ACT_ID_", rs -> {
                    waits.put(Wait.ofActivity(rs.getString(1)).orElseThrow().reportName(),
                            new CampaignReport.WaitTotal(rs.getLong(2), rs.getLong(3) / 1000d));
                }, Processes.DELIVERY, prefix);
        Map<String, Long> retries = new LinkedHashMap<>();
        jdbc.query("select d.TEXT_ from ACT_HI_DETAIL d join ACT_HI_PROCINST p on p.PROC_INST_ID_ = d.PROC_INST_ID_ "
                + "where p.PROC_DEF_KEY_ = ? and p.BUSINESS_KEY_ like ? and d.NAME_ = ?", rs -> {
                    String cause = WaitReason.cause(rs.getString(1));
                    if (WaitReason.isRetry(cause)) {
                        retries.merge(cause, 1L, Long::sum);
                    }
                }, Processes.DELIVERY, prefix, WAIT_REASON.name());
        Integer stated = lowestStatedRate(campaignId);
        // a cancelled campaign's rows never dispatched have no instance each: they are counted as cancelled
        Long undispatched = jdbc.queryForObject("select coalesce(max(LONG_), 0) from ACT_HI_VARINST where PROC_INST_ID_ = ? "
                + "and NAME_ = ?", Long.class, campaignId, CANCELLED_UNDISPATCHED.name());
        if (undispatched != null && undispatched > 0) {
            outcomes.merge(Outcome.CANCELLED.name(), undispatched, Long::sum);
        }
        long total = outcomes.values().stream().mapToLong(Long::longValue).sum();
        long pending = outcomes.getOrDefault(Outcome.PENDING.name(), 0L);
        outcomes.remove(Outcome.PENDING.name());
        int rate = provider == null ? 0 : limit(campaignId, provider);
        boolean requests = provider != null && countsRequests.test(provider);
        long accepted = requests ? Stream.of(Outcome.ACCEPTED, Outcome.DELIVERED, Outcome.FAILED)
                .mapToLong(o -> outcomes.getOrDefault(o.name(), 0L)).sum() : acceptedSegments == null ? 0 : acceptedSegments;
        int against = stated != null && stated < rate ? stated : rate;
        double minimum = against == 0 ? 0 : accepted * 60d / against;
        CampaignReport.WaitTotal retryAfter = waits.get("retryAfter");
        return new CampaignReport(name, campaignId, provider, rows, duplicates, total, sums.getOrDefault("segments", 0L),
                acceptedSegments == null ? 0 : acceptedSegments,
                outcomes, sums.getOrDefault("attempts", 0L), sums.getOrDefault("rateLimited", 0L),
                retryAfter == null ? 0 : retryAfter.seconds(), sums.getOrDefault("failures", 0L), retries, waits, startedAt, finished,
                CampaignReport.seconds(startedAt, finished), rate, stated, minimum, pending, inDoubt, null, simulated,
                requests ? CampaignReport.REQUESTS : CampaignReport.SEGMENTS);
    }

    /** Each send attempt of a campaign's messages, in no order: the attempt record and the message's segments. */
    void attempts(String campaignId, java.util.function.ObjIntConsumer<Attempt> each) {
        jdbc.query("select d.TEXT_, s.LONG_ from ACT_HI_DETAIL d join ACT_HI_PROCINST p on p.PROC_INST_ID_ = d.PROC_INST_ID_ "
                + "join ACT_HI_VARINST s on s.PROC_INST_ID_ = d.PROC_INST_ID_ and s.NAME_ = ? "
                + "where p.PROC_DEF_KEY_ = ? and p.BUSINESS_KEY_ like ? and d.NAME_ = ?", rs -> {
                    each.accept(Attempt.parse(rs.getString(1)), (int) rs.getLong(2));
                }, SEGMENTS.name(), Processes.DELIVERY, Processes.messageKeys(campaignId), ATTEMPT.name());
        jdbc.query("select ATTEMPT_, SEGMENTS_ from " + BatchedMessages.TABLE + " where CAMPAIGN_ID_ = ? and ATTEMPT_ is not null", rs -> {
            each.accept(Attempt.parse(rs.getString(1)), rs.getInt(2));
        }, campaignId);
    }

    /** Each message of the campaign its receipt says was delivered: when it ended so, and its segments. */
    void delivered(String campaignId, java.util.function.BiConsumer<Instant, Integer> each) {
        jdbc.query("select p.END_TIME_, s.LONG_ from ACT_HI_PROCINST p "
                + "join ACT_HI_VARINST v on v.PROC_INST_ID_ = p.PROC_INST_ID_ and v.NAME_ = ? and v.TEXT_ = ? "
                + "join ACT_HI_VARINST s on s.PROC_INST_ID_ = p.PROC_INST_ID_ and s.NAME_ = ? "
                + "where p.PROC_DEF_KEY_ = ? and p.BUSINESS_KEY_ like ? and p.END_TIME_ is not null", rs -> {
                    each.accept(rs.getTimestamp(1).toInstant(), (int) rs.getLong(2));
                }, OUTCOME.name(), Outcome.DELIVERED.name(), SEGMENTS.name(), Processes.DELIVERY, Processes.messageKeys(campaignId));
    }

    /** The lowest rate the provider stated in a 429's body during the campaign (only 429 records carry one), or null. */
    Integer lowestStatedRate(String campaignId) {
        Integer[] stated = {null};
        jdbc.query("select d.TEXT_ from ACT_HI_DETAIL d join ACT_HI_PROCINST p on p.PROC_INST_ID_ = d.PROC_INST_ID_ "
                + "where p.PROC_DEF_KEY_ = ? and p.BUSINESS_KEY_ like ? and d.NAME_ = ? "
                + "and d.TEXT_ like '%\"statedPerMinute\"%'", rs -> {
                    Integer rate = Attempt.parse(rs.getString(1)).statedPerMinute();
                    if (rate != null && (stated[0] == null || rate < stated[0])) {
                        stated[0] = rate;
                    }
                }, Processes.DELIVERY, Processes.messageKeys(campaignId), ATTEMPT.name());
        jdbc.query("select ATTEMPT_ from " + BatchedMessages.TABLE + " where CAMPAIGN_ID_ = ? and ATTEMPT_ like '%\"statedPerMinute\"%'", rs -> {
            Integer rate = Attempt.parse(rs.getString(1)).statedPerMinute();
            if (rate != null && (stated[0] == null || rate < stated[0])) {
                stated[0] = rate;
            }
        }, campaignId);
        return stated[0];
    }
}
