package dev.pacer.retry;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Capped exponential backoff with proportional jitter, used when a provider gives no usable
 * hint of its own. Jitter spreads retries out so that many messages throttled at the same
 * moment do not all come back at the same moment.
 *
 * @param initial     wait after the first failure, positive
 * @param multiplier  growth per further failure, at least 1
 * @param max         cap on the wait before jitter, at least {@code initial}
 * @param maxAttempts total attempts allowed, including the first, at least 1
 * @param jitter      fraction of the wait that may be randomly removed, in [0, 1]
 */
public record BackoffPolicy(Duration initial, double multiplier, Duration max, int maxAttempts, double jitter) {

    private static final double NANOS_PER_SECOND = 1_000_000_000d;

    public BackoffPolicy {
        if (initial == null) {
            throw new IllegalArgumentException("initial must not be null");
        }
        if (max == null) {
            throw new IllegalArgumentException("max must not be null");
        }
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("initial must be > 0, was " + initial);
        }
        if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier must be a finite number >= 1, was " + multiplier);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max must be >= initial, was max " + max + " < initial " + initial);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("jitter must be in [0, 1], was " + jitter);
        }
    }

    public static BackoffPolicy exponential(Duration initial, double multiplier, Duration max,
                                            int maxAttempts, double jitter) {
        return new BackoffPolicy(initial, multiplier, max, maxAttempts, jitter);
    }

    /**
     * The wait after {@code failedAttempts} consecutive failures: the capped exponential base,
     * minus a uniformly random share of up to {@code jitter} of it.
     *
     * @param failedAttempts failures so far, at least 1
     * @param random         source of jitter; pass a seeded one to get repeatable delays
     */
    public Duration delay(int failedAttempts, RandomGenerator random) {
        if (failedAttempts < 1) {
            throw new IllegalArgumentException("failedAttempts must be >= 1, was " + failedAttempts);
        }
        if (random == null) {
            throw new IllegalArgumentException("random must not be null");
        }
        Duration base = base(failedAttempts);
        if (jitter == 0) {
            return base;
        }
        // Rounding the reduction down keeps the result inside [base * (1 - jitter), base].
        double reduction = Math.floor(nanos(base) * jitter * random.nextDouble());
        return base.minus(ofNanos(reduction));
    }

    /** Whether another attempt may follow {@code attemptsMade} attempts. */
    public boolean allowsAnotherAttempt(int attemptsMade) {
        if (attemptsMade < 0) {
            throw new IllegalArgumentException("attemptsMade must be >= 0, was " + attemptsMade);
        }
        return attemptsMade < maxAttempts;
    }

    private Duration base(int failedAttempts) {
        // Doubles cannot overflow here: they saturate to infinity, which the cap then absorbs.
        double scaled = nanos(initial) * Math.pow(multiplier, failedAttempts - 1);
        if (!(scaled < nanos(max))) {
            return max;
        }
        return ofNanos(Math.rint(scaled));
    }

    private static double nanos(Duration d) {
        return d.getSeconds() * NANOS_PER_SECOND + d.getNano();
    }

    private static Duration ofNanos(double nanos) {
        if (nanos < Long.MAX_VALUE) {
            return Duration.ofNanos((long) nanos);
        }
        long seconds = (long) Math.floor(nanos / NANOS_PER_SECOND);
        long rest = (long) (nanos - seconds * NANOS_PER_SECOND);
        return Duration.ofSeconds(seconds, Math.max(0, rest));
    }
}
