package dev.pacer.provider;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A simulator's per-user request limit: {@code limit} requests per fixed window, reported on every
 * response in {@code X-RateLimit-Limit}, {@code -Remaining} and {@code -Reset} (an epoch time in
 * seconds from the provider's clock, GitHub style). Not thread-safe: the simulator's model guards it.
 */
public final class UserWindow {

    private final int limit;
    private final Duration window;
    private long index = Long.MIN_VALUE;
    private int count;

    public UserWindow(int limit, Duration window) {
        this.limit = limit;
        this.window = window;
    }

    /**
     * Counts a request at {@code now} and reports the window in {@code headers}.
     *
     * @param skew how far the provider's clock is off
     * @return the end of the window when its quota was already spent (the request is refused), else null
     */
    public Instant take(Instant now, Duration skew, Map<String, String> headers) {
        long windowNanos = window.toNanos();
        long i = Math.floorDiv(now.getEpochSecond() * 1_000_000_000L + now.getNano(), windowNanos);
        if (i != index) {
            index = i;
            count = 0;
        }
        Instant end = Instant.EPOCH.plusNanos((i + 1) * windowNanos);
        boolean spent = count >= limit;
        if (!spent) {
            count++;
        }
        headers.put("X-RateLimit-Limit", Integer.toString(limit));
        headers.put("X-RateLimit-Remaining", Integer.toString(limit - count));
        headers.put("X-RateLimit-Reset", Long.toString(end.plus(skew).plusNanos(999_999_999).getEpochSecond()));
        return spent ? end : null;
    }
}
