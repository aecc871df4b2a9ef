package dev.pacer.throttle;

import java.time.Instant;

/**
 * What a progress display or a report wants to know of a scope right now.
 *
 * @param rate           the pace the scope is held to now, per minute
 * @param ceiling        the most it may climb back to: the configured rate, or a lower one the provider stated
 * @param pauses         pauses, from 429s and from quota holds
 * @param holds          of those, holds because the quota the headers reported ran out
 * @param waitingBulk    permits of bulk messages queued for a turn beyond the horizon
 * @param queueEstimate  permits estimated to wait in the provider's queue
 * @param realtimeShare  the share of recent permits that real-time sends took
 * @param down           whether the provider counts as down (the scope's circuit is open) and is being probed
 * @param places         the in-flight places open now: the most, or fewer while the provider refuses requests for too many at once
 */
public record ScopeView(ScopeLimit limit, double rate, double ceiling, Instant pausedUntil, int inFlight,
                        long waitingBulk, long pauses, long holds, long rateLimits, double queueEstimate,
                        double realtimeShare, boolean down, int places) {
}

