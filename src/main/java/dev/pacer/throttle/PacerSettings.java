package dev.pacer.throttle;

import java.time.Duration;

/**
 * How the {@link Pacer} books slots and moves the pace.
 *
 * @param bulkHorizon how far ahead a bulk message may book a slot
 * @param pauseJitter the most added at random to a pause, so that scopes paused together do not
 *                    resume together
 * @param bulkShare   the share of a busy scope's sends that bulk keeps however much real-time
 *                    traffic there is, in [0, 1)
 * @param circuit     when a scope's provider counts as down, and how it is probed
 */
public record PacerSettings(Duration bulkHorizon, Duration pauseJitter, Adaptation adaptation, double bulkShare, CircuitSettings circuit) {

    /** The share of a busy scope's sends that bulk keeps by default. */
    public static final double DEFAULT_BULK_SHARE = 0.1;

    public PacerSettings {
        if (bulkHorizon.isNegative() || pauseJitter.isNegative()) {
            throw new IllegalArgumentException("bulk-horizon and pause-jitter must not be negative");
        }
        if (!(bulkShare >= 0 && bulkShare < 1)) {
            throw new IllegalArgumentException("bulk-share must be in [0, 1), got " + bulkShare);
        }
    }

    /** With bulk's minimum share at 10% and the default circuit. */
    public PacerSettings(Duration bulkHorizon, Duration pauseJitter, Adaptation adaptation) {
        this(bulkHorizon, pauseJitter, adaptation, DEFAULT_BULK_SHARE, CircuitSettings.DEFAULT);
    }
}
