package dev.pacer.throttle;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * Grants send slots per scope so that the scope's segment rate is never exceeded, and pauses a scope
 * as a whole when its provider answers 429.
 *
 * <p>Each scope is a bucket4j token bucket counted in segments. A grant is a reservation: the
 * bucket is debited at once ({@code consumeIgnoringRateLimits}) and the caller waits on a timer
 * until the debt is covered, so nothing ever polls. Bulk messages reserve at most
 * {@code bulkHorizon} ahead; beyond it they are told when to ask again (staggered by their place in
 * the queue, so they do not all come back at once), which leaves the slots after the horizon free
 * for a real-time message to take.
 */
public final class Pacer {

    private final Clock clock;
    private final Duration bulkHorizon;
    private final Duration pauseJitter;
    private final RandomGenerator random;
    private final Map<String, Scope> scopes = new ConcurrentHashMap<>();

    public Pacer(Clock clock, Duration bulkHorizon, Duration pauseJitter, RandomGenerator random) {
        if (bulkHorizon.isNegative() || pauseJitter.isNegative()) {
            throw new IllegalArgumentException("bulk-horizon and pause-jitter must not be negative");
        }
        this.clock = clock;
        this.bulkHorizon = bulkHorizon;
        this.pauseJitter = pauseJitter;
        this.random = random;
    }

    /** Adds a scope, or replaces its limit (the scope's current debt and pause are dropped). */
    public void register(ScopeLimit limit) {
        scopes.put(limit.scope(), new Scope(limit, clock));
    }

    /**
     * Asks for a slot for {@code segments} of a message.
     *
     * @param returning true when this message was given an unreserved grant before and now comes
     *                  back: it leaves its place in the bulk queue
     */
    public Grant reserve(String scope, int segments, Priority priority, boolean returning) {
        if (segments < 1) {
            throw new IllegalArgumentException("segments must be at least 1, got " + segments);
        }
        Scope s = scope(scope);
        synchronized (s) {
            Instant now = clock.instant();
            if (returning) {
                s.waitingBulkSegments = Math.max(0, s.waitingBulkSegments - segments);
            }
            Duration wait = s.waitFor(segments);
            if (priority == Priority.BULK && wait.compareTo(bulkHorizon) > 0) {
                Instant recheck = now.plus(wait).minus(bulkHorizon).plus(s.limit.timeFor(s.waitingBulkSegments));
                s.waitingBulkSegments += segments;
                return new Grant(false, recheck, s.generation);
            }
            long nanos = s.bucket.consumeIgnoringRateLimits(segments);
            return new Grant(true, now.plusNanos(nanos), s.generation);
        }
    }

    /**
     * Gives a grant back unused (its message expired or was cancelled): a reserved slot's segments
     * return to the bucket, an unreserved grant leaves its place in the bulk queue.
     */
    public void release(String scope, Grant grant, int segments) {
        Scope s = scope(scope);
        synchronized (s) {
            if (!grant.reserved()) {
                s.waitingBulkSegments = Math.max(0, s.waitingBulkSegments - segments);
            } else if (grant.generation() == s.generation) {
                s.bucket.addTokens(segments);
            }
        }
    }

    /**
     * Pauses the whole scope for the provider's {@code wait} plus a small positive jitter. Slots
     * granted before are void (their generation is over); after the pause the bucket refills from
     * empty, so waiting messages resume one by one at the scope's pace rather than all at once.
     *
     * @return the end of the pause (a later pause already in force wins)
     */
    public Instant pause(String scope, Duration wait) {
        Scope s = scope(scope);
        synchronized (s) {
            Instant now = clock.instant();
            long jitterNanos = pauseJitter.isZero() ? 0 : random.nextLong(pauseJitter.toNanos() + 1);
            Instant until = now.plus(wait.isNegative() ? Duration.ZERO : wait).plusNanos(jitterNanos);
            if (until.isAfter(s.pausedUntil)) {
                s.pausedUntil = until;
                s.generation++;
                s.bucket = Scope.bucket(s.limit, clock, 0);
                long debt = (long) Math.ceil(Duration.between(now, until).toNanos() * s.limit.segmentsPerMinute() / 60e9);
                if (debt > 0) {
                    s.bucket.consumeIgnoringRateLimits(debt);
                }
                s.pauses++;
            }
            return s.pausedUntil;
        }
    }

    /**
     * Checks, just before a send, that its slot is still good: empty when it may go; otherwise how
     * long to hold off (zero when the slot was voided by a pause that is already over, so the
     * message only needs a new slot).
     */
    public Optional<Duration> holdOff(String scope, long generation) {
        Scope s = scope(scope);
        synchronized (s) {
            Instant now = clock.instant();
            if (now.isBefore(s.pausedUntil)) {
                return Optional.of(Duration.between(now, s.pausedUntil));
            }
            return generation == s.generation ? Optional.empty() : Optional.of(Duration.ZERO);
        }
    }

    /** Takes one of the scope's in-flight places, waiting at most {@code timeout} for one. */
    public boolean enter(String scope, Duration timeout) throws InterruptedException {
        return scope(scope).inFlight.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    public void exit(String scope) {
        scope(scope).inFlight.release();
    }

    public ScopeView view(String scope) {
        Scope s = scope(scope);
        synchronized (s) {
            Instant now = clock.instant();
            return new ScopeView(s.limit, now.isBefore(s.pausedUntil) ? s.pausedUntil : null,
                    s.limit.maxInFlight() - s.inFlight.availablePermits(), s.waitingBulkSegments, s.pauses);
        }
    }

    private Scope scope(String name) {
        Scope s = scopes.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no limit is configured for scope '" + name + "'");
        }
        return s;
    }

    /** What a progress display or a report wants to know of a scope right now. */
    public record ScopeView(ScopeLimit limit, Instant pausedUntil, int inFlight, long waitingBulkSegments, long pauses) {
    }

    private static final class Scope {
        final ScopeLimit limit;
        final Semaphore inFlight;
        Bucket bucket;
        Instant pausedUntil = Instant.EPOCH;
        long generation;
        long waitingBulkSegments;
        long pauses;

        Scope(ScopeLimit limit, Clock clock) {
            this.limit = limit;
            this.inFlight = new Semaphore(limit.maxInFlight(), true);
            this.bucket = bucket(limit, clock, limit.burst());
        }

        static Bucket bucket(ScopeLimit limit, Clock clock, long initialTokens) {
            return Bucket.builder()
                    .addLimit(l -> l.capacity(limit.burst())
                            .refillGreedy(limit.segmentsPerMinute(), Duration.ofMinutes(1))
                            .initialTokens(initialTokens))
                    .withCustomTimePrecision(meter(clock))
                    .build();
        }

        /** How long until the bucket holds {@code segments} (it may be in debt after reservations). */
        Duration waitFor(int segments) {
            long deficit = segments - bucket.getAvailableTokens();
            return deficit <= 0 ? Duration.ZERO : limit.timeFor(deficit);
        }

        private static TimeMeter meter(Clock clock) {
            return new TimeMeter() {
                @Override
                public long currentTimeNanos() {
                    Instant now = clock.instant();
                    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
                }

                @Override
                public boolean isWallClockBased() {
                    return true;
                }
            };
        }
    }
}
