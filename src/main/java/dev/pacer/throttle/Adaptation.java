package dev.pacer.throttle;

import java.time.Duration;

/**
 * Additive increase, multiplicative decrease: how a scope's pace falls on a 429 and climbs back.
 *
 * @param decrease     the factor a scope's rate is multiplied by on a 429, in (0, 1); 1 turns
 *                     adaptation off
 * @param increaseStep the share of the ceiling added after each quiet period, in (0, 1]
 * @param quietPeriod  how long a busy scope must go without a 429 before its rate climbs
 * @param floor        the lowest share of the ceiling a scope's rate falls to, in (0, 1]
 */
public record Adaptation(double decrease, double increaseStep, Duration quietPeriod, double floor) {

    public Adaptation {
        if (!(decrease > 0 && decrease <= 1)) {
            throw new IllegalArgumentException("decrease must be in (0, 1], got " + decrease);
        }
        if (!(increaseStep > 0 && increaseStep <= 1) || !(floor > 0 && floor <= 1)) {
            throw new IllegalArgumentException("increase-step and floor must be in (0, 1], got " + increaseStep + " and " + floor);
        }
        if (quietPeriod.isNegative() || quietPeriod.isZero()) {
            throw new IllegalArgumentException("quiet-period must be positive, got " + quietPeriod);
        }
    }

    public static Adaptation off() {
        return new Adaptation(1, 1, Duration.ofDays(1), 1);
    }
}
