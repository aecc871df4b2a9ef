package dev.pacer.throttle;

/**
 * The configured limit of one scope (a provider account, an API user, a sender number, a campaign):
 * how many permits it takes per minute at most, how many it may take at once after an idle spell,
 * and how many requests may be in flight. A permit is a segment or a request, as the provider counts.
 *
 * @param perMinute the ceiling; {@link Double#POSITIVE_INFINITY} for a scope with no rate limit of
 *                  its own (it may still learn one from rate-limit headers)
 * @param burst     permits the scope may take at once; for a provider that queues, the depth of its
 *                  queue Pacer aims to keep, since a full provider queue is where 429s come from
 */
public record ScopeLimit(String scope, Unit unit, double perMinute, long burst, int maxInFlight) {

    /** What a scope counts. */
    public enum Unit { SEGMENTS, REQUESTS }

    public ScopeLimit {
        if (scope == null || scope.isBlank()) {
            throw new IllegalArgumentException("scope must not be blank");
        }
        if (unit == null) {
            throw new IllegalArgumentException("unit of scope " + scope + " must be set");
        }
        if (!(perMinute > 0)) {
            throw new IllegalArgumentException("the rate of scope " + scope + " must be positive, got " + perMinute + " per minute");
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst of scope " + scope + " must be at least 1, got " + burst);
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("max-in-flight of scope " + scope + " must be at least 1, got " + maxInFlight);
        }
    }

    /** A segment-counted limit whose burst is one second's worth (at least one). */
    public static ScopeLimit of(String scope, int segmentsPerMinute, int maxInFlight) {
        return new ScopeLimit(scope, Unit.SEGMENTS, segmentsPerMinute, secondsWorth(segmentsPerMinute), maxInFlight);
    }

    /** The default burst: one second's worth of permits at {@code perMinute}, at least one. */
    public static long secondsWorth(double perMinute) {
        return Math.max(1, (long) (perMinute / 60));
    }

    /** A scope with no rate of its own, only an in-flight cap. */
    public static ScopeLimit unlimited(String scope, Unit unit, int maxInFlight) {
        return new ScopeLimit(scope, unit, Double.POSITIVE_INFINITY, 1, maxInFlight);
    }

    public boolean limited() {
        return perMinute != Double.POSITIVE_INFINITY;
    }

    /** The permits one send of {@code segments} takes from this scope. */
    public int permits(int segments) {
        return unit == Unit.SEGMENTS ? segments : 1;
    }
}
