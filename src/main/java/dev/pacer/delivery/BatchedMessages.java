package dev.pacer.delivery;

import dev.pacer.flow.Outcome;
import dev.pacer.flow.Processes;
import dev.pacer.throttle.Priority;
import org.camunda.bpm.engine.delegate.VariableScope;
import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.List;

import static dev.pacer.flow.MessageVariables.ATTEMPT;
import static dev.pacer.flow.MessageVariables.ATTEMPTS;
import static dev.pacer.flow.MessageVariables.CAMPAIGN_ID;
import static dev.pacer.flow.MessageVariables.DEADLINE;
import static dev.pacer.flow.MessageVariables.FAILURES;
import static dev.pacer.flow.MessageVariables.OUTCOME;
import static dev.pacer.flow.MessageVariables.PRIORITY;
import static dev.pacer.flow.MessageVariables.PROVIDER;
import static dev.pacer.flow.MessageVariables.PROVIDER_MESSAGE_ID;
import static dev.pacer.flow.MessageVariables.RATE_LIMITED;
import static dev.pacer.flow.MessageVariables.REASON;
import static dev.pacer.flow.MessageVariables.SEGMENTS;
import static dev.pacer.flow.MessageVariables.SUBMITTED_AT;
import static dev.pacer.flow.MessageVariables.TO;

/**
 * The messages a campaign's batch ended without a {@code delivery} instance of their own: the table
 * {@code PACER_MESSAGE}, one row per message, written in bulk in the batch's transaction. A row holds
 * what the history of an instance would say of the message (its outcome and reason, segments,
 * counters, the provider's id) and its one attempt record ({@code ATTEMPT_}, the same JSON as the
 * {@code attempt} variable); the reports, trails and exports read these rows beside the history
 * tables. A message that had to wait is not here: it went on as an instance, and its history says it all.
 * The text is not kept.
 */
public class BatchedMessages {

    public static final String TABLE = "PACER_MESSAGE";

    private final JdbcTemplate jdbc;

    public BatchedMessages(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        jdbc.execute("create table if not exists " + TABLE + " (KEY_ varchar(300) not null primary key, CAMPAIGN_ID_ varchar(64) not null, "
                + "TO_ varchar(64), PROVIDER_ varchar(100), PRIORITY_ varchar(16), SEGMENTS_ integer not null, SUBMITTED_AT_ timestamp, "
                + "ENDED_AT_ timestamp not null, DEADLINE_ timestamp, OUTCOME_ varchar(16) not null, REASON_ varchar(2000), "
                + "PROVIDER_MESSAGE_ID_ varchar(255), ATTEMPTS_ integer not null, RATE_LIMITED_ integer not null, FAILURES_ integer not null, "
                + "ATTEMPT_ varchar(4000))");
        jdbc.execute("create index if not exists PACER_MESSAGE_CAMPAIGN on " + TABLE + " (CAMPAIGN_ID_, OUTCOME_)");
    }

    /** Records messages that ended in a batch, in the caller's transaction, in one round trip. */
    public void record(List<MessageRef> ended, Instant endedAt) {
        if (ended.isEmpty()) {
            return;
        }
        jdbc.batchUpdate("insert into " + TABLE + " (KEY_, CAMPAIGN_ID_, TO_, PROVIDER_, PRIORITY_, SEGMENTS_, SUBMITTED_AT_, ENDED_AT_, "
                + "DEADLINE_, OUTCOME_, REASON_, PROVIDER_MESSAGE_ID_, ATTEMPTS_, RATE_LIMITED_, FAILURES_, ATTEMPT_) "
                + "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ended, 500, (ps, m) -> {
                    VariableScope v = m.vars();
                    ps.setString(1, m.key());
                    ps.setString(2, CAMPAIGN_ID.get(v, Processes.campaignOf(m.key())));
                    ps.setString(3, TO.get(v));
                    ps.setString(4, PROVIDER.get(v));
                    ps.setString(5, PRIORITY.get(v, Priority.BULK).name());
                    ps.setInt(6, SEGMENTS.get(v, 0));
                    timestamp(ps, 7, SUBMITTED_AT.get(v));
                    timestamp(ps, 8, endedAt);
                    timestamp(ps, 9, DEADLINE.get(v));
                    ps.setString(10, OUTCOME.get(v, Outcome.PENDING).name());
                    ps.setString(11, truncate(REASON.get(v), 2000));
                    ps.setString(12, PROVIDER_MESSAGE_ID.get(v));
                    ps.setInt(13, ATTEMPTS.get(v, 0));
                    ps.setInt(14, RATE_LIMITED.get(v, 0));
                    ps.setInt(15, FAILURES.get(v, 0));
                    ps.setString(16, truncate(ATTEMPT.get(v), 4000));
                });
    }

    private static void timestamp(PreparedStatement ps, int index, Instant at) throws SQLException {
        if (at == null) {
            ps.setNull(index, Types.TIMESTAMP);
        } else {
            ps.setTimestamp(index, Timestamp.from(at));
        }
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
