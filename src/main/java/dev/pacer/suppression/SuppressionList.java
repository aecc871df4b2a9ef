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

    private final JdbcTemplate jdbc;
    private final Clock clock;

    public SuppressionList(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
        jdbc.execute("create table if not exists " + TABLE + " (NUMBER_ varchar(20) not null primary key, "
                + "SOURCE_ varchar(255), ADDED_AT_ timestamp not null)");
    }

    public boolean contains(String number) {
        Integer n = jdbc.queryForObject("select count(*) from " + TABLE + " where NUMBER_ = ?", Integer.class, number);
        return n != null && n > 0;
    }

    /** Adds a number; false when it was on the list already. */
    public boolean add(String number, String source) {
        PhoneNumbers.problem(number).ifPresent(p -> {
            throw new IllegalArgumentException("cannot suppress: " + p);
        });
        try {
            jdbc.update("insert into " + TABLE + " (NUMBER_, SOURCE_, ADDED_AT_) values (?, ?, ?)",
                    number, source, Timestamp.from(clock.instant()));
            return true;
        } catch (DuplicateKeyException e) {
            return false;
        }
    }

    public boolean remove(String number) {
        return jdbc.update("delete from " + TABLE + " where NUMBER_ = ?", number) > 0;
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
