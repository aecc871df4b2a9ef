package dev.pacer.throttle;

import java.time.Duration;

/**
 * The configured limit of one scope (a provider account, a sender number...): how many segments it
 * takes per minute, how many it may take at once after an idle spell, and how many requests may be
 * in flight.
 */
public record ScopeLimit(String scope, int segmentsPerMinute, int burst, int maxInFlight) {

    public ScopeLimit {
        if (scope == null || scope.isBlank()) {
            throw new IllegalArgumentException("scope must not be blank");
        }
        if (segmentsPerMinute < 1) {
            throw new IllegalArgumentException("segments-per-minute of scope " + scope + " must be at least 1, got " + segmentsPerMinute);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst of scope " + scope + " must be at least 1, got " + burst);
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("max-in-flight of scope " + scope + " must be at least 1, got " + maxInFlight);
        }
    }

    /** A limit whose burst is one second's worth of segments (at least one). */
    public static ScopeLimit of(String scope, int segmentsPerMinute, int maxInFlight) {
        return new ScopeLimit(scope, segmentsPerMinute, Math.max(1, segmentsPerMinute / 60), maxInFlight);
    }

    /** How long the scope needs to take {@code segments} at its steady rate. */
    public Duration timeFor(long segments) {
        return Duration.ofNanos(Math.round(segments * 60_000_000_000d / segmentsPerMinute));
    }
}
