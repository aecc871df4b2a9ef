package dev.pacer.throttle;

import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.Semaphore;

/**
 * One scope's state in the {@link Pacer}: its GCRA schedule (theoretical arrival time and tolerance),
 * its pause and generation, its learned pace and the provider's stated rate, the quota its
 * rate-limit headers reported, the estimate of the provider's queue, its bulk queue and its
 * real-time lane. Guarded by the pacer's lock, except {@link #inFlight}.
 */
final class Scope {

    private static final long ROLL_NANOS = 2_000_000_000L;
    /** The permits of a window a node claims of a shared timeline at a time. */
    static final int WINDOW_PERMITS = 10;

    final ScopeLimit limit;
    final Places inFlight;
    /**
     * This node's share of the scope's burst and in-flight places, from 1 (alone) down. Its rate is
     * not shared this way: the nodes of a cluster take the scope's slots from one {@link Timeline}.
     */
    double share = 1;
    /** The window of the scope's shared timeline this node holds, in epoch nanos: its slots lie in it. */
    long windowStart = Long.MIN_VALUE;
    long windowEnd = Long.MAX_VALUE;
    /** The most requests in flight on this node: the limit's, times the share, at least one. */
    int maxInFlight;
    /**
     * The in-flight places open now: {@link #maxInFlight}, or fewer after the provider refused
     * requests for being too many at once (Twilio's 20429), climbing back one place at a time.
     */
    int concurrency;
    /** When the places were last cut, in epoch nanos: refusals of requests sent before it say nothing new. */
    long concurrencyCut = Long.MIN_VALUE;
    /** Sends taken in a row, per place open, before a place is added back after a refusal, at first. */
    static final int PROBE_AFTER = 10;
    /** The most a probe waits for: sends taken in a row per place open. */
    static final int PROBE_AFTER_MAX = 640;
    /** Sends taken since the places last changed. */
    int takenSinceChange;
    /** Sends taken in a row, per place open, before the next probe: doubled each time a probe is refused. */
    int probeAfter = PROBE_AFTER;
    /** Whether the places were last raised by a probe (a refusal now says the probe failed). */
    boolean probing;
    /** The burst the whole scope may take: the limit's, or a smaller one the provider's stated queue allows. */
    long burst;
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
    long rollStart;
    long windowPermits;
    double lastAchieved;
    final RealtimeLane lane;
    final Circuit circuit = new Circuit();

    Scope(ScopeLimit limit, long now) {
        this.limit = limit;
        this.inFlight = new Places(limit.maxInFlight());
        this.maxInFlight = limit.maxInFlight();
        this.concurrency = limit.maxInFlight();
        this.rate = limit.perMinute();
        this.stepBase = limit.perMinute();
        this.burst = limit.burst();
        this.tolerance = limit.burst();
        this.tat = now;
        this.lane = new RealtimeLane(now);
        this.lastChange = now;
        this.rollStart = now;
    }

    double ceiling() {
        return Math.min(limit.perMinute(), stated);
    }

    /**
     * Takes {@code fraction} of the scope's burst and in-flight places on this node, the rest being
     * the other nodes' of a cluster.
     */
    void share(double fraction) {
        share = fraction;
        tolerance = shareOf(burst);
        int places = (int) Math.max(1, Math.round(limit.maxInFlight() * fraction));
        boolean cut = concurrency < maxInFlight;
        maxInFlight = places;
        open(cut ? Math.min(places, concurrency) : places);
    }

    /** Opens {@code places} in-flight places, from {@link #concurrency} now. */
    private void open(int places) {
        if (places > concurrency) {
            inFlight.release(places - concurrency);
        } else if (places < concurrency) {
            inFlight.reduce(concurrency - places);
        }
        concurrency = places;
        takenSinceChange = 0;
    }

    /**
     * The provider refused a request sent at {@code sentAt} for too many at once: the places open
     * become the requests still in flight beside it (what the provider did take at once), at least
     * one and fewer than were open; once per round, as a rate is cut once per round of 429s.
     */
    void tooManyInFlight(long now, long sentAt, Integer besideAtAnswer) {
        if (sentAt < concurrencyCut) {
            return;
        }
        concurrencyCut = now;
        if (probing) {
            probeAfter = Math.min(PROBE_AFTER_MAX, probeAfter * 2);
        }
        int beside = besideAtAnswer != null ? besideAtAnswer : concurrency - inFlight.availablePermits();
        open(Math.max(1, Math.min(beside, concurrency - 1)));
        probing = false;
    }

    /**
     * A send was taken: once {@link #probeAfter} times as many have been taken in a row as there
     * are places open, one place more (a probe of whether the provider takes more), up to the most.
     * A probe that is refused makes the next one wait twice as long; one that holds, no longer.
     */
    void taken() {
        if (concurrency >= maxInFlight) {
            return;
        }
        takenSinceChange++;
        if (probing && takenSinceChange >= PROBE_AFTER * concurrency) {
            probeAfter = PROBE_AFTER;
            probing = false;
        }
        if (takenSinceChange >= probeAfter * concurrency) {
            open(concurrency + 1);
            probing = true;
        }
    }

    /**
     * Moves {@code t} into the window of the shared timeline this node holds, claiming the next
     * window of {@link #WINDOW_PERMITS} permits when a send of {@code segments} at {@code t} would
     * run past the end of the last; a scope with no pace is left alone.
     */
    long inWindow(long t, int segments, long now, Timeline timeline) {
        double interval = interval(now);
        if (interval == 0) {
            return t;
        }
        int n = limit.permits(segments);
        if (t < windowStart) {
            return windowStart;
        }
        if (t + (long) ((n - 1) * interval) < windowEnd) {
            return t;
        }
        long length = (long) (Math.max(n, WINDOW_PERMITS) * interval);
        long start = timeline.claim(limit.scope(), t, length);
        windowStart = start;
        windowEnd = start + length;
        if (start > t) {
            // another node's window came right before: no burst at the start of this one
            tat = Math.max(tat, start + (long) ((tolerance - 1) * interval));
            return start;
        }
        return t;
    }

    private long shareOf(long permits) {
        return Math.max(1, Math.round(permits * share));
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
        if (now - rollStart >= ROLL_NANOS) {
            lastAchieved = windowPermits * 60e9 / (now - rollStart);
            rollStart = now;
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
        long span = now - rollStart;
        double current = span > 0 ? windowPermits * 60e9 / span : 0;
        return Math.max(lastAchieved, span >= ROLL_NANOS / 2 ? current : 0);
    }

    double queueAt(long now) {
        double drained = Double.isInfinite(rate) ? queueLevel : (now - queueTime) * rate / 60e9;
        return Math.max(0, queueLevel - drained);
    }

    /**
     * A 429: a stated rate (and queue capacity) is adopted as the ceiling and, when lower, as the
     * pace; otherwise (and when 429s go on at the stated rate) the rate is cut by the decrease
     * factor, once per round: 429s to requests sent before the last cut say nothing new.
     *
     * @param sentAt when the rate-limited request went out, in epoch nanos
     */
    void rateLimited(long now, long sentAt, OptionalDouble statedPerMinute, OptionalLong statedCapacity, boolean explained,
                     Adaptation a) {
        rateLimits++;
        boolean adopted = false;
        if (statedPerMinute.isPresent() && statedPerMinute.getAsDouble() > 0) {
            stated = Math.min(limit.perMinute(), statedPerMinute.getAsDouble());
            if (statedCapacity.isPresent() && statedCapacity.getAsLong() > 1) {
                burst = Math.max(1, Math.min(limit.burst(), statedCapacity.getAsLong() / 2));
                tolerance = shareOf(burst);
            }
            if (rate > stated) {
                rate = stated;
                lastDecrease = now;
                lastChange = now;
                adopted = true;
            }
        }
        // Still 429s at (or below) a stated rate, from requests sent after the last cut: cut further.
        if (!adopted && !explained && sentAt > lastDecrease && a.decrease() < 1) {
            double base = Double.isInfinite(rate) ? Math.max(1, achieved(now)) : rate;
            if (Double.isInfinite(stepBase)) {
                stepBase = base;
            }
            rate = Math.max(a.floor() * stepBase, base * a.decrease());
            lastDecrease = now;
            lastChange = now;
        }
    }

    /**
     * What the scope's rate-limit headers said: hold until the reset when the quota left is no more
     * than the requests in flight, else spread what is left over the rest of the window (re-planning
     * when the quota is much tighter than the pace booked so far).
     */
    void observe(long now, Quota quota) {
        long margin = maxInFlight - inFlight.availablePermits();
        long reset = Math.max(1, quota.reset().toNanos());
        if (quota.remaining() <= margin) {
            if (now + reset > pausedUntil) {
                restart(now + reset, now);
                holds++;
            }
            return;
        }
        double before = interval(now);
        quotaInterval = (double) reset / (quota.remaining() - margin);
        quotaUntil = now + reset;
        if (interval(now) > 1.5 * before && tat > now + reset) {
            restart(now, now);
        }
    }

    /** What a progress display or a report wants to know of the scope now. */
    ScopeView view(long now) {
        lane.decay(now);
        return new ScopeView(limit, rate, ceiling(), now < pausedUntil ? Pacer.instant(pausedUntil) : null,
                concurrency - inFlight.availablePermits(), bulkTickets - bulkServed, pauses, holds, rateLimits,
                limit.unit() == ScopeLimit.Unit.SEGMENTS ? queueAt(now) : 0, lane.realtimeShare(), circuit.open(), concurrency);
    }

    /** In-flight places, whose number follows the node's share. */
    static final class Places extends Semaphore {
        Places(int permits) {
            super(permits, true);
        }

        void reduce(int permits) {
            reducePermits(permits);
        }
    }

    /** A send got no answer or a server error: when the circuit is (now) open, held until the probe, whose time this returns; else -1. */
    long failed(long now, CircuitSettings settings) {
        long probeAt = circuit.failed(now, settings);
        if (probeAt > pausedUntil) {
            restart(probeAt, now);
        }
        return probeAt;
    }

    /** The provider answered: after an outage the scope starts again at its pace, one permit first. */
    void answered(long now) {
        if (circuit.answered()) {
            restart(now, now);
        }
    }
}
