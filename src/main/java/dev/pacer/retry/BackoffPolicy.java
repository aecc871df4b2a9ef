package dev.pacer.retry;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Capped exponential backoff with jitter, used when a provider gives no usable hint of its own.
 * Jitter spreads retries out so that many messages failing at the same moment do not all come back
 * at the same moment. A multiplier of 2 with no jitter is the "linear coefficient" loop of provider
 * guides ({@code delay = coefficient * delay}).
 *
 * @param initial     wait after the first failure, positive
 * @param multiplier  growth per further failure, at least 1
 * @param max         cap on the wait before jitter, at least {@code initial}
 * @param maxAttempts total attempts allowed, including the first, at least 1
 * @param jitter      for {@link Jitter#PROPORTIONAL}: fraction of the wait that may be randomly removed, in [0, 1]
 * @param mode        how the wait is randomised
 */
public record BackoffPolicy(Duration initial, double multiplier, Duration max, int maxAttempts, double jitter, Jitter mode) {

    /** How a wait is randomised. */
    public enum Jitter {
        /** The capped exponential wait as is. */
        NONE,
        /** Up to {@code jitter} of the capped exponential wait is taken off at random. */
        PROPORTIONAL,
        /** A uniformly random wait between zero and the capped exponential wait ("full jitter"). */
        FULL,
        /**
         * A random wait between {@code initial} and {@code multiplier} times the previous wait,
         * capped ("decorrelated jitter"; the well-known form uses a factor of 3).
         */
        DECORRELATED
    }

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
        if (mode == null) {
            throw new IllegalArgumentException("jitter mode must not be null");
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("jitter must be in [0, 1], was " + jitter);
        }
    }

    public static BackoffPolicy exponential(Duration initial, double multiplier, Duration max,
                                            int maxAttempts, double jitter) {
        return new BackoffPolicy(initial, multiplier, max, maxAttempts, jitter, Jitter.PROPORTIONAL);
    }

    /**
     * A policy from its written form, as a row of the {@code retry-policies} table or a settings
     * file gives it: ISO-8601 durations ({@code PT1S}), a number, a whole number and a jitter mode
     * ({@code none}, {@code proportional}, {@code full}, {@code decorrelated}). A proportional
     * jitter takes off up to half the wait. The error names the field and the value.
     */
    public static BackoffPolicy parse(String initial, String multiplier, String max, String maxAttempts, String jitter) {
        Duration first = duration("initial", initial);
        Duration cap = duration("max", max);
        double factor;
        try {
            factor = Double.parseDouble(required("multiplier", multiplier));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("multiplier: '" + multiplier + "' is not a number");
        }
        int attempts;
        try {
            attempts = Integer.parseInt(required("maxAttempts", maxAttempts));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("maxAttempts: '" + maxAttempts + "' is not a whole number");
        }
        Jitter mode;
        try {
            mode = Jitter.valueOf(required("jitter", jitter).toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("jitter: '" + jitter + "' is not one of none, proportional, full, decorrelated");
        }
        return new BackoffPolicy(first, factor, cap, attempts, 0.5, mode);
    }

    private static String required(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + ": missing");
        }
        return value.strip();
    }

    private static Duration duration(String field, String value) {
        try {
            return Duration.parse(required(field, value));
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(field + ": '" + value + "' is not an ISO-8601 duration (e.g. PT1S, PT10M)");
        }
    }

    public BackoffPolicy withMode(Jitter mode) {
        return new BackoffPolicy(initial, multiplier, max, maxAttempts, jitter, mode);
    }

    /**
     * The wait after {@code failedAttempts} consecutive failures, {@code previous} being the wait
     * before this one (null on the first failure; only {@link Jitter#DECORRELATED} uses it).
     */
    public Duration delay(int failedAttempts, Duration previous, RandomGenerator random) {
        if (mode == Jitter.PROPORTIONAL || mode == Jitter.NONE) {
            return delay(failedAttempts, random);
        }
        if (failedAttempts < 1) {
            throw new IllegalArgumentException("failedAttempts must be >= 1, was " + failedAttempts);
        }
        if (mode == Jitter.FULL) {
            return ofNanos(Math.floor(nanos(base(failedAttempts)) * random.nextDouble()));
        }
        double low = nanos(initial);
        double high = Math.max(low, previous == null ? low : nanos(previous) * multiplier);
        return ofNanos(Math.min(nanos(max), low + Math.floor((high - low) * random.nextDouble())));
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
        if (jitter == 0 || mode == Jitter.NONE) {
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
