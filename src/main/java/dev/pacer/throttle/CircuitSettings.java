package dev.pacer.throttle;

import java.time.Duration;

/**
 * When a scope's provider counts as down, and how it is probed.
 *
 * @param threshold  sends in a row with no answer or a server error that open the circuit
 * @param firstProbe the wait before the first probe; each failed probe doubles it
 * @param maxProbe   the longest wait between probes
 */
public record CircuitSettings(int threshold, Duration firstProbe, Duration maxProbe) {

    public static final CircuitSettings DEFAULT = new CircuitSettings(5, Duration.ofSeconds(2), Duration.ofSeconds(60));

    public CircuitSettings {
        if (threshold < 1) {
            throw new IllegalArgumentException("circuit threshold must be at least 1, got " + threshold);
        }
        if (firstProbe.isNegative() || firstProbe.isZero() || maxProbe.compareTo(firstProbe) < 0) {
            throw new IllegalArgumentException("circuit probe intervals must be positive, the most at least the first; got "
                    + firstProbe + " and " + maxProbe);
        }
    }
}
