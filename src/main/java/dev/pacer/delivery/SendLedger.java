package dev.pacer.delivery;

import dev.pacer.provider.SendResult;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.transaction.support.TransactionOperations;

import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The sends in flight, each recorded and committed before its request goes out and its answer
 * after, each in a transaction of its own: the table {@code PACER_SEND}, one row per send attempt of
 * a message that has not ended. The engine's job that sends runs in a transaction that commits
 * only after the answer; should it never commit (the node stopped, the database refused the commit),
 * the job runs again and finds its send here: answered, its answer is used and nothing is sent again;
 * unanswered, the send is in doubt and the provider is asked. A message's rows go when it ends.
 */
public class SendLedger {

    public static final String TABLE = "PACER_SEND";

    /**
     * One send: recorded before its request ({@code answer} null until it came back).
     *
     * @param key the send's key: the message ({@link #messageOf}) and the attempt's number
     */
    public record Entry(String key, String messageId, String provider, String from, String to, Instant startedAt, String node,
                        SendResult answer) {

        public boolean answered() {
            return answer != null;
        }
    }

    private static final RowMapper<Entry> ENTRY = (rs, n) -> {
        Timestamp answeredAt = rs.getTimestamp("ANSWERED_AT_");
        SendResult answer = null;
        if (answeredAt != null) {
            long wait = rs.getLong("RETRY_WAIT_MS_");
            Duration retryWait = rs.wasNull() ? null : Duration.ofMillis(wait);
            int segments = rs.getInt("SEGMENTS_");
            Integer segmentCount = rs.wasNull() ? null : segments;
            answer = new SendResult(rs.getInt("STATUS_"), retryWait, rs.getString("PROVIDER_MESSAGE_ID_"), segmentCount,
                    rs.getString("ERROR_TYPE_"), rs.getString("ERROR_CODE_"), rs.getString("DESCRIPTION_"), null, null, false);
        }
        return new Entry(rs.getString("SEND_KEY_"), rs.getString("MESSAGE_ID_"), rs.getString("PROVIDER_"), rs.getString("FROM_"),
                rs.getString("TO_"), rs.getTimestamp("STARTED_AT_").toInstant(), rs.getString("NODE_"), answer);
    };

    private final JdbcTemplate jdbc;
    private final TransactionOperations own;
    private final String node;

    /**
     * @param own  runs a unit of work in a transaction of its own, committed before it returns (never
     *             the caller's: a send is recorded before its request whatever becomes of the job)
     * @param node this node's name, kept with each send it starts
     */
    public SendLedger(JdbcTemplate jdbc, TransactionOperations own, String node) {
        this.jdbc = jdbc;
        this.own = own;
        this.node = node;
        jdbc.execute("create table if not exists " + TABLE + " (SEND_KEY_ varchar(300) not null primary key, "
                + "MESSAGE_ID_ varchar(255) not null, PROVIDER_ varchar(100) not null, FROM_ varchar(64) not null, TO_ varchar(64) not null, "
                + "STARTED_AT_ timestamp not null, NODE_ varchar(255), ANSWERED_AT_ timestamp, STATUS_ integer, PROVIDER_MESSAGE_ID_ varchar(255), "
                + "SEGMENTS_ integer, ERROR_TYPE_ varchar(255), ERROR_CODE_ varchar(64), DESCRIPTION_ varchar(1000), RETRY_WAIT_MS_ bigint)");
        jdbc.execute("create index if not exists PACER_SEND_MESSAGE on " + TABLE + " (MESSAGE_ID_)");
    }

    /** The key of attempt {@code attempt} of message {@code messageId} ({@link #messageOf}). */
    public static String key(String messageId, int attempt) {
        return messageId + "#" + attempt;
    }

    /**
     * What the ledger knows a message by: its business key (a campaign's {@code <id>/<row>}, or the
     * idempotency key of a message on its own), else its instance id. Not the instance id alone: a
     * message on its own is sent in its start call's transaction, and should that transaction fail
     * after the send, the caller's retry with the same key is a new instance that must find the send.
     */
    public static String messageOf(DelegateExecution execution) {
        String key = execution.getProcessBusinessKey();
        return key != null && !key.isBlank() ? key : execution.getProcessInstanceId();
    }

    /** The send recorded under {@code key}, if any. */
    public Optional<Entry> find(String key) {
        return jdbc.query("select * from " + TABLE + " where SEND_KEY_ = ?", ENTRY, key).stream().findFirst();
    }

    /**
     * Records a send about to go out, committed before this returns.
     *
     * @return the send recorded first under this key when there is one (another node sends it, or
     *         sent it): then nothing may be sent; empty when this one is recorded and may go
     */
    public Optional<Entry> begin(String key, String messageId, String provider, String from, String to, Instant startedAt) {
        try {
            own.executeWithoutResult(s -> jdbc.update("insert into " + TABLE + " (SEND_KEY_, MESSAGE_ID_, PROVIDER_, FROM_, TO_, STARTED_AT_, NODE_) "
                    + "values (?, ?, ?, ?, ?, ?, ?)", key, messageId, provider, from, to, Timestamp.from(startedAt), node));
            return Optional.empty();
        } catch (DuplicateKeyException e) {
            return find(key);
        }
    }

    /** A send about to go out, for {@link #beginAll}. */
    public record Begin(String key, String messageId, String provider, String from, String to) {
    }

    /**
     * Records sends about to go out (a campaign's batch), in one transaction of their own committed
     * before this returns: all of them or, should one be recorded already, none (the exception says so).
     */
    public void beginAll(List<Begin> sends, Instant startedAt) {
        if (sends.isEmpty()) {
            return;
        }
        own.executeWithoutResult(s -> jdbc.batchUpdate("insert into " + TABLE + " (SEND_KEY_, MESSAGE_ID_, PROVIDER_, FROM_, TO_, STARTED_AT_, NODE_) "
                + "values (?, ?, ?, ?, ?, ?, ?)", sends, 500, (ps, b) -> {
                    ps.setString(1, b.key());
                    ps.setString(2, b.messageId());
                    ps.setString(3, b.provider());
                    ps.setString(4, b.from());
                    ps.setString(5, b.to());
                    ps.setTimestamp(6, Timestamp.from(startedAt));
                    ps.setString(7, node);
                }));
    }

    /** The sends recorded for messages whose key is {@code like} the pattern (a campaign's), by send key. */
    public Map<String, Entry> findAll(String like) {
        Map<String, Entry> found = new HashMap<>();
        jdbc.query("select * from " + TABLE + " where MESSAGE_ID_ like ?", ENTRY, like)
                .forEach(e -> found.put(e.key(), e));
        return found;
    }

    /** Records the answers to sends, by send key, in one transaction of their own committed before this returns. */
    public void answerAll(Map<String, SendResult> answers, Instant at) {
        if (answers.isEmpty()) {
            return;
        }
        List<Map.Entry<String, SendResult>> rows = new ArrayList<>(answers.entrySet());
        own.executeWithoutResult(s -> jdbc.batchUpdate(ANSWER, rows, 500, (ps, row) -> answer(ps, row.getKey(), row.getValue(), at)));
    }

    /** Forgets sends that never went out, by their keys, in a transaction of their own committed before this returns. */
    public void forgetAllNow(List<String> sendKeys) {
        if (!sendKeys.isEmpty()) {
            own.executeWithoutResult(s -> forgetAll(sendKeys));
        }
    }

    /** Forgets sends by their keys, in the caller's transaction (their messages ended, or never sent them). */
    public void forgetAll(List<String> sendKeys) {
        if (!sendKeys.isEmpty()) {
            jdbc.batchUpdate("delete from " + TABLE + " where SEND_KEY_ = ?", sendKeys, 500, (ps, key) -> ps.setString(1, key));
        }
    }

    private static final String ANSWER = "update " + TABLE + " set ANSWERED_AT_ = ?, STATUS_ = ?, PROVIDER_MESSAGE_ID_ = ?, SEGMENTS_ = ?, "
            + "ERROR_TYPE_ = ?, ERROR_CODE_ = ?, DESCRIPTION_ = ?, RETRY_WAIT_MS_ = ? where SEND_KEY_ = ?";

    private static void answer(java.sql.PreparedStatement ps, String key, SendResult result, Instant at) throws java.sql.SQLException {
        ps.setTimestamp(1, Timestamp.from(at));
        ps.setInt(2, result.status());
        ps.setString(3, result.providerMessageId());
        setInteger(ps, 4, result.segmentCount());
        ps.setString(5, truncate(result.errorType(), 255));
        ps.setString(6, truncate(result.errorCode(), 64));
        ps.setString(7, truncate(result.description(), 1000));
        if (result.retryWait() == null) {
            ps.setNull(8, Types.BIGINT);
        } else {
            ps.setLong(8, result.retryWait().toMillis());
        }
        ps.setString(9, key);
    }

    /** Records the answer to the send {@code key}, committed before this returns. */
    public void answer(String key, SendResult result, Instant at) {
        own.executeWithoutResult(s -> jdbc.update(ANSWER, ps -> answer(ps, key, result, at)));
    }

    /** Forgets the sends of message {@code messageId} ({@link #messageOf}), in the caller's transaction: it has ended. */
    public void forget(String messageId) {
        jdbc.update("delete from " + TABLE + " where MESSAGE_ID_ = ?", messageId);
    }

    private static void setInteger(java.sql.PreparedStatement ps, int index, Integer value) throws java.sql.SQLException {
        if (value == null) {
            ps.setNull(index, Types.INTEGER);
        } else {
            ps.setInt(index, value);
        }
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
