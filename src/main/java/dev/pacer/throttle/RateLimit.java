package dev.pacer.throttle;

import java.time.Instant;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * A 429 as a {@link Pacer} took it: the scope it paused, until when, and what it learned from it;
 * what the other nodes of a cluster apply to their own pacers.
 *
 * @param sentAt    when the rate-limited request went out
 * @param until     the end of the pause
 * @param explained the response's rate-limit headers explained it (the pace is not cut)
 */
public record RateLimit(String scope, Instant sentAt, Instant until, OptionalDouble statedPerMinute, OptionalLong statedCapacity,
                        boolean explained) {
}
