package dev.pacer.throttle;

import java.util.concurrent.Semaphore;

/**
 * One scope's state in the {@link Pacer}: its GCRA schedule (theoretical arrival time and tolerance),
 * its pause and generation, its learned pace and the provider's stated rate, the quota its
 * rate-limit headers reported, the estimate of the provider's queue, its bulk queue and its
 * real-time lane. Guarded by the pacer's lock, except {@link #inFlight}.
 */
final class Scope {

    private static final long ROLL_NANOS = 2_000_000_000L;

    final ScopeLimit limit;
    final Semaphore inFlight;
    /** Current pace, per minute; infinite for a scope with no rate that has not been told one. */
    double rate;
    /** The rate the provider stated, infinite until it does. */
    double stated = Double.POSITIVE_INFINITY;
    /** The rate additive increase steps are a share of: the ceiling, or the first pace learned. */
    double stepBase;
    long tolerance;
    /** Theoretical arrival time of the next permit, in epoch nanos. */
    long tat;
    long pausedUntil;
    long generation;
    /** Permits of bulk messages ever queued for a turn beyond the horizon, and of those served or gone. */
    long bulkTickets;
    long bulkServed;
    long pauses;
    long holds;
    long rateLimits;
    long lastChange;
    long lastDecrease;
    double quotaInterval;
    long quotaUntil;
    double queueLevel;
    long queueTime;
    long windowStart;
    long windowPermits;
    double lastAchieved;
    final RealtimeLane lane;

    Scope(ScopeLimit limit, long now) {
        this.limit = limit;
        this.inFlight = new Semaphore(limit.maxInFlight(), true);
        this.rate = limit.perMinute();
        this.stepBase = limit.perMinute();
        this.tolerance = limit.burst();
        this.tat = now;
        this.lane = new RealtimeLane(now);
        this.lastChange = now;
        this.windowStart = now;
    }

    double ceiling() {
        return Math.min(limit.perMinute(), stated);
    }

    /** Nanoseconds per permit at the ceiling (zero for a scope with no rate). */
    double ceilingInterval() {
        double c = ceiling();
        return Double.isInfinite(c) ? 0 : 60e9 / c;
    }

    /** Nanoseconds per permit at the current pace and quota. */
    double interval(long now) {
        double paced = Double.isInfinite(rate) ? 0 : 60e9 / rate;
        return now < quotaUntil ? Math.max(paced, quotaInterval) : paced;
    }

    /** Climbs back a step after each quiet period spent busy (booked ahead), up to the ceiling. */
    void adapt(long now, Adaptation a) {
        double ceiling = ceiling();
        if (rate >= ceiling || now - lastChange < a.quietPeriod().toNanos()) {
            return;
        }
        if (tat > now) {
            rate = Math.min(ceiling, rate + a.increaseStep() * Math.min(ceiling, stepBase));
            lastChange = now;
        }
    }

    /** A new generation starting at {@code from}: one permit then, the scope's pace after. */
    void restart(long from, long now) {
        pausedUntil = Math.max(pausedUntil, from);
        generation++;
        tat = from + (long) ((tolerance - 1) * interval(now));
        lane.restart(tat);
    }

    void count(long now, int permits, boolean realtime) {
        lane.count(now, permits, realtime);
        if (now - windowStart >= ROLL_NANOS) {
            lastAchieved = windowPermits * 60e9 / (now - windowStart);
            windowStart = now;
            windowPermits = 0;
        }
        windowPermits += permits;
    }

    /** Real-time sends have lately taken more than their share while bulk waits: the next one must queue with bulk. */
    boolean realtimeCrowding(long now, double bulkShare) {
        return lane.crowding(now, bulkShare, bulkTickets > bulkServed);
    }

    /** Permits per minute booked lately (for a scope with no rate of its own that gets a 429). */
    double achieved(long now) {
        long span = now - windowStart;
        double current = span > 0 ? windowPermits * 60e9 / span : 0;
        return Math.max(lastAchieved, span >= ROLL_NANOS / 2 ? current : 0);
    }

    double queueAt(long now) {
        double drained = Double.isInfinite(rate) ? queueLevel : (now - queueTime) * rate / 60e9;
        return Math.max(0, queueLevel - drained);
    }
}
