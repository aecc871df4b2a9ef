package dev.pacer.suppression;

import dev.pacer.sms.PhoneNumbers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Numbers that opted out: never sent to. The list is the table {@code PACER_SUPPRESSION} in Pacer's
 * database, shared by every node; a file (one E.164 number per line, {@code #} comments, an optional
 * {@code number} header as its first line that is not a comment; extra CSV columns are ignored) is
 * merged into it at start-up.
 */
public class SuppressionList {

    private static final Logger log = LoggerFactory.getLogger(SuppressionList.class);
    public static final String TABLE = "PACER_SUPPRESSION";
    /** Every change to the list: when, which number, added or removed, why, and by whom (a user, a reply, a receipt). */
    public static final String LOG = "PACER_SUPPRESSION_LOG";

    /** A number on the list: since when, and why. */
    public record Entry(String number, String source, Instant addedAt) {
    }

    /** One change to the list. */
    public record Change(Instant at, String number, String action, String reason, String by) {
    }

    private final JdbcTemplate jdbc;
    private final Clock clock;

    public SuppressionList(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
        jdbc.execute("create table if not exists " + TABLE + " (NUMBER_ varchar(20) not null primary key, "
                + "SOURCE_ varchar(255), ADDED_AT_ timestamp not null)");
        jdbc.execute("create table if not exists " + LOG + " (AT_ timestamp not null, NUMBER_ varchar(20) not null, ACTION_ varchar(8) not null, "
                + "REASON_ varchar(255), BY_ varchar(128))");
    }

    public boolean contains(String number) {
        Integer n = jdbc.queryForObject("select count(*) from " + TABLE + " where NUMBER_ = ?", Integer.class, number);
        return n != null && n > 0;
    }

    /** Adds a number; false when it was on the list already. */
    public boolean add(String number, String source) {
        return add(number, source, "pacer");
    }

    /**
     * Adds a number, and records the change; false when it was on the list already.
     *
     * @param reason why (a reply STOP, a receipt's code, a user's note)
     * @param by     who or what: a user's name, or the provider account a reply or receipt came through
     */
    public boolean add(String number, String reason, String by) {
        PhoneNumbers.problem(number).ifPresent(p -> {
            throw new IllegalArgumentException("cannot suppress: " + p);
        });
        try {
            jdbc.update("insert into " + TABLE + " (NUMBER_, SOURCE_, ADDED_AT_) values (?, ?, ?)",
                    number, abbreviate(reason), Timestamp.from(clock.instant()));
            record(number, "add", reason, by);
            return true;
        } catch (DuplicateKeyException e) {
            return false;
        }
    }

    public boolean remove(String number) {
        return remove(number, null, "pacer");
    }

    /** Takes a number off the list, and records the change; false when it was not on it. */
    public boolean remove(String number, String reason, String by) {
        boolean removed = jdbc.update("delete from " + TABLE + " where NUMBER_ = ?", number) > 0;
        if (removed) {
            record(number, "remove", reason, by);
        }
        return removed;
    }

    /** The numbers on the list, oldest first, at most {@code limit} from {@code offset}. */
    public List<Entry> list(int offset, int limit) {
        return jdbc.query("select NUMBER_, SOURCE_, ADDED_AT_ from " + TABLE + " order by ADDED_AT_, NUMBER_ offset ? rows fetch next ? rows only",
                (rs, n) -> new Entry(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant()), offset, limit);
    }

    /** The changes to {@code number}'s place on the list, oldest first (every number's, when null). */
    public List<Change> changes(String number) {
        String sql = "select AT_, NUMBER_, ACTION_, REASON_, BY_ from " + LOG + (number == null ? "" : " where NUMBER_ = ?") + " order by AT_";
        org.springframework.jdbc.core.RowMapper<Change> row = (rs, n) -> new Change(rs.getTimestamp(1).toInstant(), rs.getString(2),
                rs.getString(3), rs.getString(4), rs.getString(5));
        return number == null ? jdbc.query(sql, row) : jdbc.query(sql, row, number);
    }

    private void record(String number, String action, String reason, String by) {
        jdbc.update("insert into " + LOG + " (AT_, NUMBER_, ACTION_, REASON_, BY_) values (?, ?, ?, ?, ?)", Timestamp.from(clock.instant()),
                number, action, abbreviate(reason), by == null ? null : by.length() > 128 ? by.substring(0, 128) : by);
    }

    private static String abbreviate(String s) {
        return s == null || s.length() <= 255 ? s : s.substring(0, 255);
    }

    public int size() {
        Integer n = jdbc.queryForObject("select count(*) from " + TABLE, Integer.class);
        return n == null ? 0 : n;
    }

    /**
     * Merges a file into the list, checked whole first: a line that is not a valid number refuses
     * the file, naming the line, so that a typo cannot let an opted-out number through unnoticed.
     *
     * @return how many numbers were new
     */
    public int importFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the suppression list " + file + ": " + e.getMessage(), e);
        }
        List<String> numbers = new ArrayList<>();
        boolean first = true;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            int comma = line.indexOf(',');
            String number = (comma >= 0 ? line.substring(0, comma) : line).strip().replace("\"", "");
            if (number.isEmpty() || number.startsWith("#")) {
                continue;
            }
            boolean header = first && number.equalsIgnoreCase("number");
            first = false;
            if (header) {
                continue;
            }
            int lineNo = i + 1;
            PhoneNumbers.problem(number).ifPresent(p -> {
                throw new IllegalArgumentException("suppression list " + file + " line " + lineNo + ": " + p);
            });
            numbers.add(number);
        }
        int added = 0;
        for (String number : numbers) {
            if (add(number, file.getFileName().toString())) {
                added++;
            }
        }
        log.info("suppression list {}: {} numbers, {} new; {} in all", file, numbers.size(), added, size());
        return added;
    }
}
