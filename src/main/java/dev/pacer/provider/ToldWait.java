package dev.pacer.provider;

import java.time.Duration;
import java.time.Instant;

/**
 * The wait a simulator last told its client (a 429's), for its score: requests inside it are what a
 * well-behaved client never sends. A wait counts from the moment it reached the client; requests in
 * the first moments after were already on their way (another thread's) and are not held against it.
 * Not thread-safe: the simulator's model guards it.
 */
public final class ToldWait {

    /** How soon after a wait reached the client a request is taken as sent before it knew. */
    public static final Duration IN_FLIGHT_GRACE = Duration.ofMillis(50);

    private Instant until = Instant.EPOCH;
    private Instant since = Instant.EPOCH;
    /** The wait the reply being built tells, applied once the client has it. */
    private Instant pending;

    /** The reply being built tells a wait until {@code end}. */
    public void telling(Instant end) {
        pending = end;
    }

    /** {@code reply} with the wait it tells ({@link #telling}), which starts once it reaches the client. */
    public SimulatorServer.Reply stamp(SimulatorServer.Reply reply) {
        Instant end = pending;
        pending = null;
        return end == null ? reply : new SimulatorServer.Reply(reply.status(), reply.headers(), reply.body(), end);
    }

    /** A wait until {@code end} reached the client at {@code now}; a shorter one than the wait in force changes nothing. */
    public void told(Instant end, Instant now) {
        if (end != null && end.isAfter(until)) {
            if (!now.isBefore(until)) {
                since = now;
            }
            until = end;
        }
    }

    /** Whether a request at {@code now} comes inside the wait told, after the grace. */
    public boolean inside(Instant now) {
        return now.isBefore(until) && !now.isBefore(since.plus(IN_FLIGHT_GRACE));
    }
}
