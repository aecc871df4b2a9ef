package dev.pacer.campaign;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionOperations;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

import static dev.pacer.flow.CampaignVariables.CONTROL_APPLIED;
import static dev.pacer.flow.CampaignVariables.LAST_CONTROL;
import static dev.pacer.flow.CampaignVariables.PAUSE_REASON;

/**
 * Pause, resume and cancel requests, each recorded in a row of its campaign's own
 * ({@code PACER_CAMPAIGN_CONTROL}) and committed at once, then applied by the campaign's dispatch
 * step in its own transaction. A request never writes to the campaign instance, whose dispatch job
 * may be sending a batch at that moment: a BPMN message to the instance then meets the job's update
 * of the same rows, and one of the two is refused (optimistic locking) and must be tried again; the
 * job's refusal would roll a whole batch back. The requests of a campaign are numbered; the campaign
 * keeps the number of the last it applied ({@code controlApplied}).
 */
public class ControlRequests {

    public static final String TABLE = "PACER_CAMPAIGN_CONTROL";

    /** What can be asked of a campaign. */
    public enum Action {
        PAUSE, RESUME, CANCEL;

        /** The action named {@code name} ({@code pause}, {@code resume}, {@code cancel}), any case. */
        public static Optional<Action> named(String name) {
            try {
                return Optional.of(valueOf(name.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
    }

    /**
     * The last request of a campaign.
     *
     * @param number the request's number among the campaign's: a later one has a higher number
     * @param by     who asked: the login, or what paused it
     */
    public record Request(long number, Action action, String reason, String by, Instant at) {
    }

    private final JdbcTemplate jdbc;
    private final TransactionOperations own;
    private final Clock clock;

    /** @param own runs a unit of work in a transaction of its own, committed before it returns */
    public ControlRequests(JdbcTemplate jdbc, TransactionOperations own, Clock clock) {
        this.jdbc = jdbc;
        this.own = own;
        this.clock = clock;
        jdbc.execute("create table if not exists " + TABLE + " (CAMPAIGN_ID_ varchar(64) not null primary key, NUMBER_ bigint not null, "
                + "ACTION_ varchar(16) not null, REASON_ varchar(1000), BY_ varchar(255), AT_ timestamp not null)");
    }

    /** Records a request for campaign instance {@code campaignId}, committed before this returns; returns it. */
    public Request request(String campaignId, Action action, String reason, String by) {
        Instant at = clock.instant();
        String why = reason == null || reason.isBlank() ? null : reason.length() > 1000 ? reason.substring(0, 1000) : reason;
        for (int round = 0; ; round++) {
            try {
                Long number = own.execute(s -> {
                    if (jdbc.update("update " + TABLE + " set NUMBER_ = NUMBER_ + 1, ACTION_ = ?, REASON_ = ?, BY_ = ?, AT_ = ? "
                            + "where CAMPAIGN_ID_ = ?", action.name(), why, by, Timestamp.from(at), campaignId) == 0) {
                        jdbc.update("insert into " + TABLE + " (CAMPAIGN_ID_, NUMBER_, ACTION_, REASON_, BY_, AT_) values (?, 1, ?, ?, ?, ?)",
                                campaignId, action.name(), why, by, Timestamp.from(at));
                    }
                    return jdbc.queryForObject("select NUMBER_ from " + TABLE + " where CAMPAIGN_ID_ = ?", Long.class, campaignId);
                });
                return new Request(number == null ? 0 : number, action, why, by, at);
            } catch (DuplicateKeyException raced) {
                if (round == 3) {
                    throw raced;
                }
                // another node recorded the campaign's first request meanwhile: number this one after it
            }
        }
    }

    /** The campaign's last request when it is later than number {@code applied}. */
    public Optional<Request> after(String campaignId, long applied) {
        return jdbc.query("select NUMBER_, ACTION_, REASON_, BY_, AT_ from " + TABLE + " where CAMPAIGN_ID_ = ? and NUMBER_ > ?",
                (rs, n) -> new Request(rs.getLong(1), Action.valueOf(rs.getString(2)), rs.getString(3), rs.getString(4),
                        rs.getTimestamp(5).toInstant()), campaignId, applied).stream().findFirst();
    }

    /** The steps that pause, resume and cancel a campaign, as its BPMN messages' event subprocesses run them. */
    public record Steps(JavaDelegate pause, JavaDelegate resume, JavaDelegate cancel) {
    }

    /**
     * Applies the campaign's last request, if it has not yet, in the running command (the campaign's
     * own dispatch step): the same steps as its BPMN messages run, the request kept in the campaign's
     * variables ({@code lastControl}, in its history too).
     *
     * @return the request applied, if any
     */
    public Optional<Request> apply(DelegateExecution campaign, Steps steps) throws Exception {
        Optional<Request> asked = after(campaign.getProcessInstanceId(), CONTROL_APPLIED.get(campaign, 0L));
        if (asked.isEmpty()) {
            return asked;
        }
        Request r = asked.get();
        CONTROL_APPLIED.set(campaign, r.number());
        LAST_CONTROL.set(campaign, r.action().name().toLowerCase(Locale.ROOT) + " by " + r.by() + " at " + r.at()
                + (r.reason() == null ? "" : ": " + r.reason()));
        switch (r.action()) {
            case PAUSE -> {
                PAUSE_REASON.set(campaign, r.reason() == null ? "paused by " + r.by() : r.reason());
                steps.pause().execute(campaign);
            }
            case RESUME -> steps.resume().execute(campaign);
            case CANCEL -> steps.cancel().execute(campaign);
        }
        return asked;
    }
}
