package dev.pacer.retry;

import java.time.Duration;

/**
 * The shortest and longest wait the orchestrator will accept, so that a provider hint which is
 * absurdly small or large (or a clock problem) cannot make us hammer an API or stall for days.
 *
 * @param min the shortest wait, at least zero
 * @param max the longest wait, at least {@code min}
 */
public record WaitBounds(Duration min, Duration max) {

    public WaitBounds {
        if (min == null) {
            throw new IllegalArgumentException("min must not be null");
        }
        if (max == null) {
            throw new IllegalArgumentException("max must not be null");
        }
        if (min.isNegative()) {
            throw new IllegalArgumentException("min must be >= 0, was " + min);
        }
        if (max.compareTo(min) < 0) {
            throw new IllegalArgumentException("max must be >= min, was max " + max + " < min " + min);
        }
    }

    /**
     * Brings {@code d} into {@code [min, max]}; negative durations become {@code min}.
     *
     * @throws IllegalArgumentException if {@code d} is null
     */
    public Duration clamp(Duration d) {
        if (d == null) {
            throw new IllegalArgumentException("duration to clamp must not be null");
        }
        if (d.compareTo(min) < 0) {
            return min;
        }
        if (d.compareTo(max) > 0) {
            return max;
        }
        return d;
    }
}
