package dev.pacer.delivery;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The business keys of messages submitted on their own, each an idempotency key for as long as a
 * message may live: a second submission with a key already taken is refused, naming the first
 * message, and nothing is sent again. The table {@code PACER_MESSAGE_KEY} is shared by every node;
 * its primary key settles two submissions racing with the same key.
 */
public class MessageKeys {

    public static final String TABLE = "PACER_MESSAGE_KEY";

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final Duration lifetime;

    /** @param lifetime how long a key stays taken: the longest a message may live */
    public MessageKeys(JdbcTemplate jdbc, Clock clock, Duration lifetime) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.lifetime = lifetime;
        jdbc.execute("create table if not exists " + TABLE + " (KEY_ varchar(255) not null primary key, "
                + "MESSAGE_ID_ varchar(64) not null, TAKEN_AT_ timestamp not null)");
    }

    /**
     * Takes {@code key} for message {@code messageId}.
     *
     * @return the message that took it first, when one did within its lifetime; empty when this one has it now
     */
    public Optional<String> take(String key, String messageId) {
        Instant now = clock.instant();
        jdbc.update("delete from " + TABLE + " where KEY_ = ? and TAKEN_AT_ < ?", key, Timestamp.from(now.minus(lifetime)));
        List<String> first = jdbc.queryForList("select MESSAGE_ID_ from " + TABLE + " where KEY_ = ?", String.class, key);
        if (!first.isEmpty()) {
            return Optional.of(first.get(0));
        }
        try {
            jdbc.update("insert into " + TABLE + " (KEY_, MESSAGE_ID_, TAKEN_AT_) values (?, ?, ?)", key, messageId, Timestamp.from(now));
            return Optional.empty();
        } catch (DuplicateKeyException e) {
            // another node took it between the look and the insert
            return Optional.of(jdbc.queryForObject("select MESSAGE_ID_ from " + TABLE + " where KEY_ = ?", String.class, key));
        }
    }
}
