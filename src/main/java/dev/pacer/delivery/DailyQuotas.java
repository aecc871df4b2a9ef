package dev.pacer.delivery;

import dev.pacer.provider.ProviderAccount;
import dev.pacer.throttle.ScopeLimit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionOperations;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Each account's {@code daily-quota}, spent before the carriers' daily cap is: a send takes its units
 * (segments, or requests) of the day's quota right before it goes, and once the quota is spent the
 * account holds until the day ends (midnight in its {@code daily-cap-reset-zone}), rather than send
 * into the cap and hear of it from a receipt minutes later.
 *
 * <p>The day's use is counted in the database ({@code PACER_DAILY_QUOTA}, a row per account and day),
 * so that the nodes of a cluster and a restarted node spend the same quota. A node does not write a
 * row per send: it takes the quota in blocks of about two seconds of the account's rate, each in a
 * transaction of its own (never the job's, which may roll back after its sends went out), and spends
 * them locally. What a node took and did not spend (it stopped, the day ended) is lost to the day, so
 * the quota may be under-spent by a block per node, and never over-spent.
 */
public class DailyQuotas {

    public static final String TABLE = "PACER_DAILY_QUOTA";

    private static final Logger log = LoggerFactory.getLogger(DailyQuotas.class);

    private final JdbcTemplate jdbc;
    private final TransactionOperations own;
    private final Clock clock;
    /** What this node took of each account's quota for a day and has not spent yet. */
    private final Map<String, Block> blocks = new HashMap<>();

    /** What is left of a block taken for {@code day}; {@code spent}: the day's quota is all given out. */
    private record Block(LocalDate day, long left, boolean spent) {
    }

    /**
     * @param own runs a unit of work in a transaction of its own, committed before it returns
     */
    public DailyQuotas(JdbcTemplate jdbc, TransactionOperations own, Clock clock) {
        this.jdbc = jdbc;
        this.own = own;
        this.clock = clock;
        jdbc.execute("create table if not exists " + TABLE + " (ACCOUNT_ varchar(100) not null, DAY_ varchar(10) not null, "
                + "USED_ bigint not null, primary key (ACCOUNT_, DAY_))");
    }

    /**
     * Takes {@code units} of the account's quota for today.
     *
     * @return empty when they are taken (or the account has no quota); otherwise the end of the day,
     *         when the quota is renewed
     */
    public Optional<Instant> take(ProviderAccount account, int units) {
        long quota = account.settings().dailyQuota();
        if (quota <= 0) {
            // an account without a quota: no lock on a send's path
            return Optional.empty();
        }
        synchronized (this) {
            return take(account, units, quota);
        }
    }

    private Optional<Instant> take(ProviderAccount account, int units, long quota) {
        ZoneId zone = zone(account);
        LocalDate day = LocalDate.ofInstant(clock.instant(), zone);
        Block held = blocks.get(account.name());
        long left = held != null && held.day.equals(day) ? held.left : 0;
        if (left < units) {
            long got = takeFromDay(account.name(), day, quota, units - left, Math.max(units - left, blockSize(account)));
            if (got == 0) {
                Instant renewed = day.plusDays(1).atStartOfDay(zone).toInstant();
                if (held == null || !held.day.equals(day) || !held.spent) {
                    log.warn("{}: its daily quota of {} is spent; it holds until the quota is renewed at {}", account.name(), quota, renewed);
                }
                blocks.put(account.name(), new Block(day, left, true));
                return Optional.of(renewed);
            }
            left += got;
        }
        blocks.put(account.name(), new Block(day, left - units, false));
        return Optional.empty();
    }

    /** Gives back units {@linkplain #take taken} today for a send that did not go after all. */
    public void giveBack(ProviderAccount account, int units) {
        if (account.settings().dailyQuota() <= 0) {
            return;
        }
        LocalDate day = LocalDate.ofInstant(clock.instant(), zone(account));
        synchronized (this) {
            Block held = blocks.get(account.name());
            if (held != null && held.day.equals(day)) {
                blocks.put(account.name(), new Block(day, held.left + units, held.spent));
            }
        }
    }

    /** What a send of {@code segments} takes of the account's quota: its segments, or one request where the provider counts requests. */
    public static int units(ScopeLimit.Unit unit, int segments) {
        return unit == ScopeLimit.Unit.REQUESTS ? 1 : segments;
    }

    /** What the accounts' quotas have given out for {@code day} (to this node and the others), by account. */
    public long used(String account, LocalDate day) {
        return jdbc.query("select USED_ from " + TABLE + " where ACCOUNT_ = ? and DAY_ = ?", (rs, n) -> rs.getLong(1), account, day.toString())
                .stream().findFirst().orElse(0L);
    }

    /**
     * Takes a block of the day's quota in the database: {@code wanted} units if that much is left,
     * else what is left, if at least {@code needed}; 0 otherwise.
     */
    private long takeFromDay(String account, LocalDate day, long quota, long needed, long wanted) {
        for (int round = 0; round < 20; round++) {
            Optional<Long> used = jdbc.query("select USED_ from " + TABLE + " where ACCOUNT_ = ? and DAY_ = ?",
                    (rs, n) -> rs.getLong(1), account, day.toString()).stream().findFirst();
            long block = Math.min(wanted, quota - used.orElse(0L));
            if (block < needed) {
                return 0;
            }
            try {
                // compare and set, each round in a transaction of its own: a block another node took
                // meanwhile sends this one round again
                Integer taken = own.execute(s -> used.isEmpty()
                        ? jdbc.update("insert into " + TABLE + " (ACCOUNT_, DAY_, USED_) values (?, ?, ?)", account, day.toString(), block)
                        : jdbc.update("update " + TABLE + " set USED_ = ? where ACCOUNT_ = ? and DAY_ = ? and USED_ = ?", used.get() + block,
                                account, day.toString(), used.get()));
                if (taken != null && taken == 1) {
                    return block;
                }
            } catch (DuplicateKeyException raced) {
                // another node wrote the day's first block: read it and go again
            }
        }
        return 0;
    }

    /** About two seconds of the account's rate, at least one unit. */
    private static long blockSize(ProviderAccount account) {
        int perMinute = Math.max(account.settings().segmentsPerMinute(), account.settings().requestsPerMinute());
        return Math.max(1, perMinute / 30);
    }

    private static ZoneId zone(ProviderAccount account) {
        return ZoneId.of(account.settings().dailyCapResetZone());
    }

}
