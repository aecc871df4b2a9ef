package dev.pacer.throttle;

import java.time.Duration;

/**
 * What a provider's rate-limit headers say of the current window: {@code remaining} of
 * {@code limit} requests (or units) are left, and the window resets after {@code reset}.
 *
 * @param limit the window's quota, or -1 when the headers do not say
 */
public record Quota(long limit, long remaining, Duration reset) {

    public Quota {
        if (remaining < 0) {
            throw new IllegalArgumentException("remaining must not be negative, got " + remaining);
        }
        if (reset == null || reset.isNegative()) {
            throw new IllegalArgumentException("reset must be zero or positive, got " + reset);
        }
    }
}
