package dev.pacer.receipt;

import dev.pacer.delivery.MessageRef;
import dev.pacer.flow.Processes;
import dev.pacer.flow.ReceiptState;
import dev.pacer.provider.ProviderAccount;
import dev.pacer.provider.ProviderEvent;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.delegate.VariableScope;
import org.camunda.bpm.engine.runtime.Execution;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

import static dev.pacer.flow.MessageVariables.RECEIPT;
import static dev.pacer.flow.MessageVariables.RECEIPT_CODE;
import static dev.pacer.flow.MessageVariables.RECEIPT_DELIVERED;
import static dev.pacer.flow.MessageVariables.RECEIPT_DESCRIPTION;
import static dev.pacer.flow.MessageVariables.RECEIPT_DUE_AT;

/**
 * Delivery receipts, correlated with their messages exactly once. Each receipt is first written to
 * {@code PACER_RECEIPT}, keyed by its account and the provider's message id: a duplicate (providers
 * post receipts at least once) finds its row and changes nothing. It then wakes the message waiting
 * for it ({@code Event_Receipt}, found by its {@code providerMessageId}); a receipt that comes
 * before its send's answer is recorded is kept, and taken by the send step when it records the
 * answer, or by the sweep that retries kept receipts every few seconds. One for no message Pacer
 * sent is dropped, counted and logged, once it has been kept for {@code keepUnmatched}.
 */
public class Receipts {

    private static final Logger log = LoggerFactory.getLogger(Receipts.class);
    public static final String TABLE = "PACER_RECEIPT";
    /** Which message waits for the receipt of a provider's message id: its key ({@code PACER_RECEIPT_WAIT}). */
    public static final String WAITING = "PACER_RECEIPT_WAIT";
    /** How long receipts applied are kept, to know the duplicates providers keep posting (Bandwidth: up to 24 hours). */
    static final Duration KEEP_APPLIED = Duration.ofHours(25);

    /** What became of a receipt posted. */
    public enum Taken { APPLIED, KEPT, DUPLICATE }

    /**
     * @param enabled       whether messages wait for their receipts at all
     * @param timeout       how long a message waits for its receipt before it stays accepted with "no receipt"
     * @param keepUnmatched how long a receipt no message has taken is kept before it counts as unknown
     */
    public record Settings(boolean enabled, Duration timeout, Duration keepUnmatched) {
    }

    private final JdbcTemplate jdbc;
    private final RuntimeService runtime;
    private final Clock clock;
    private final Settings settings;
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder unknown = new LongAdder();

    public Receipts(JdbcTemplate jdbc, RuntimeService runtime, Clock clock, Settings settings) {
        this.jdbc = jdbc;
        this.runtime = runtime;
        this.clock = clock;
        this.settings = settings;
        jdbc.execute("create table if not exists " + TABLE + " (PROVIDER_ varchar(64) not null, MESSAGE_ID_ varchar(128) not null, "
                + "DELIVERED_ boolean not null, CODE_ varchar(32), DESCRIPTION_ varchar(500), RECEIVED_AT_ timestamp not null, "
                + "APPLIED_ boolean not null, primary key (PROVIDER_, MESSAGE_ID_))");
        jdbc.execute("create table if not exists " + WAITING + " (PROVIDER_ varchar(64) not null, MESSAGE_ID_ varchar(128) not null, "
                + "KEY_ varchar(255) not null, AT_ timestamp not null, primary key (PROVIDER_, MESSAGE_ID_))");
    }

    public Settings settings() {
        return settings;
    }

    /** Takes a receipt posted for account {@code provider}: kept, then given to its message if one waits for it. */
    public Taken take(String provider, ProviderEvent.Receipt r) {
        try {
            jdbc.update("insert into " + TABLE + " (PROVIDER_, MESSAGE_ID_, DELIVERED_, CODE_, DESCRIPTION_, RECEIVED_AT_, APPLIED_) "
                    + "values (?, ?, ?, ?, ?, ?, false)", provider, r.providerMessageId(), r.delivered(), r.errorCode(),
                    abbreviate(r.description()), Timestamp.from(clock.instant()));
        } catch (DuplicateKeyException e) {
            duplicates.increment();
            log.info("duplicate receipt for {} message {}: nothing changes", provider, r.providerMessageId());
            return Taken.DUPLICATE;
        }
        return deliver(provider, r.providerMessageId(), r.delivered(), r.errorCode(), r.description()) ? Taken.APPLIED : Taken.KEPT;
    }

    /**
     * The send step's part, once the provider took a message: with receipts on, the message waits
     * for its receipt until the timeout, or takes at once one that came before this answer.
     */
    public void accepted(MessageRef message, ProviderAccount account, String providerMessageId) {
        VariableScope execution = message.vars();
        if (!settings.enabled() || providerMessageId == null || !account.postsReceipts()) {
            // no receipt will come for it (Genesys Cloud posts none): it ends ACCEPTED at once
            RECEIPT.set(execution, ReceiptState.NONE);
            return;
        }
        String provider = account.name();
        Optional<Map<String, Object>> early = takeKept(provider, providerMessageId);
        if (early.isPresent()) {
            RECEIPT_DELIVERED.set(execution, (Boolean) early.get().get("DELIVERED_"));
            RECEIPT_CODE.set(execution, (String) early.get().get("CODE_"));
            RECEIPT_DESCRIPTION.set(execution, (String) early.get().get("DESCRIPTION_"));
            RECEIPT.set(execution, ReceiptState.IN);
            return;
        }
        RECEIPT.set(execution, ReceiptState.AWAIT);
        RECEIPT_DUE_AT.set(execution, clock.instant().plus(settings.timeout()));
        // which message waits for it, found by its key when the receipt comes: an index, not a scan of
        // every waiting message's variables
        jdbc.update("delete from " + WAITING + " where PROVIDER_ = ? and MESSAGE_ID_ = ?", provider, providerMessageId);
        jdbc.update("insert into " + WAITING + " (PROVIDER_, MESSAGE_ID_, KEY_, AT_) values (?, ?, ?, ?)", provider, providerMessageId,
                message.key(), Timestamp.from(clock.instant()));
    }

    /** A kept receipt for the message, marked applied; empty when there is none (or another took it first). */
    private Optional<Map<String, Object>> takeKept(String provider, String id) {
        List<Map<String, Object>> rows = jdbc.queryForList("select DELIVERED_, CODE_, DESCRIPTION_ from " + TABLE
                + " where PROVIDER_ = ? and MESSAGE_ID_ = ? and APPLIED_ = false", provider, id);
        if (rows.isEmpty() || jdbc.update("update " + TABLE + " set APPLIED_ = true where PROVIDER_ = ? and MESSAGE_ID_ = ? "
                + "and APPLIED_ = false", provider, id) == 0) {
            return Optional.empty();
        }
        // the row's keys are case-insensitive (JdbcTemplate's maps), whatever case the database gives its columns
        return Optional.of(rows.get(0));
    }

    /** Wakes the message that waits for this receipt; false when none waits (yet). */
    private boolean deliver(String provider, String id, boolean delivered, String code, String description) {
        Execution waiting = waiting(provider, id);
        if (waiting == null) {
            return false;
        }
        if (jdbc.update("update " + TABLE + " set APPLIED_ = true where PROVIDER_ = ? and MESSAGE_ID_ = ? and APPLIED_ = false",
                provider, id) == 0) {
            return true;
        }
        Map<String, Object> vars = new HashMap<>();
        RECEIPT_DELIVERED.put(vars, delivered);
        RECEIPT_CODE.put(vars, code);
        RECEIPT_DESCRIPTION.put(vars, abbreviate(description));
        try {
            runtime.messageEventReceived(Processes.RECEIPT, waiting.getId(), vars);
            jdbc.update("delete from " + WAITING + " where PROVIDER_ = ? and MESSAGE_ID_ = ?", provider, id);
            return true;
        } catch (ProcessEngineException e) {
            // it moved on meanwhile (its wait timed out, its campaign was cancelled): the receipt is kept for the sweep
            jdbc.update("update " + TABLE + " set APPLIED_ = false where PROVIDER_ = ? and MESSAGE_ID_ = ?", provider, id);
            log.info("receipt for {} message {} not applied yet: {}", provider, id, e.getMessage());
            return false;
        }
    }

    /** The execution waiting for the receipt of {@code provider}'s message {@code id}, if one does. */
    private Execution waiting(String provider, String id) {
        String key = jdbc.query("select KEY_ from " + WAITING + " where PROVIDER_ = ? and MESSAGE_ID_ = ?", (rs, n) -> rs.getString(1),
                provider, id).stream().findFirst().orElse(null);
        if (key == null) {
            return null;
        }
        // a message's key is its business key, or for a message on its own without one, its instance id
        Execution byKey = runtime.createExecutionQuery().messageEventSubscriptionName(Processes.RECEIPT).processInstanceBusinessKey(key)
                .list().stream().findFirst().orElse(null);
        return byKey != null ? byKey : runtime.createExecutionQuery().messageEventSubscriptionName(Processes.RECEIPT)
                .processInstanceId(key).list().stream().findFirst().orElse(null);
    }

    /**
     * Retries the receipts kept (their message was not waiting yet), and forgets those kept too long
     * (unknown: counted and logged) and those applied long ago.
     *
     * @return receipts applied now
     */
    public int sweep() {
        Instant now = clock.instant();
        int applied = 0;
        for (Map<String, Object> row : jdbc.queryForList("select PROVIDER_, MESSAGE_ID_, DELIVERED_, CODE_, DESCRIPTION_, RECEIVED_AT_ from "
                + TABLE + " where APPLIED_ = false")) {
            String provider = (String) row.get("PROVIDER_");
            String id = (String) row.get("MESSAGE_ID_");
            if (deliver(provider, id, (Boolean) row.get("DELIVERED_"), (String) row.get("CODE_"), (String) row.get("DESCRIPTION_"))) {
                applied++;
            } else if (((Timestamp) row.get("RECEIVED_AT_")).toInstant().plus(settings.keepUnmatched()).isBefore(now)) {
                jdbc.update("delete from " + TABLE + " where PROVIDER_ = ? and MESSAGE_ID_ = ? and APPLIED_ = false", provider, id);
                unknown.increment();
                log.warn("receipt for {} message {} matched no message Pacer sent within {}: dropped", provider, id, settings.keepUnmatched());
            }
        }
        jdbc.update("delete from " + TABLE + " where APPLIED_ = true and RECEIVED_AT_ < ?", Timestamp.from(now.minus(KEEP_APPLIED)));
        // messages that stopped waiting without their receipt (the timeout, a cancel)
        jdbc.update("delete from " + WAITING + " where AT_ < ?", Timestamp.from(now.minus(settings.timeout()).minus(KEEP_APPLIED)));
        return applied;
    }

    /** Receipts posted again for a message already told (duplicates), and receipts for no message Pacer sent. */
    public long duplicates() {
        return duplicates.sum();
    }

    public long unknown() {
        return unknown.sum();
    }

    private static String abbreviate(String s) {
        return s == null || s.length() <= 500 ? s : s.substring(0, 500);
    }
}
