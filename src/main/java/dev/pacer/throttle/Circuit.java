package dev.pacer.throttle;

/**
 * One scope's circuit: closed while the provider answers; open after {@code threshold} sends in a
 * row got no answer or a server error (the provider is down). While open the scope is held, and one
 * send at a time probes it, at intervals that double from the first to the most; the first answer
 * closes it. A message held by an open circuit spends none of its attempts.
 */
final class Circuit {

    private int failures;
    private boolean open;
    /** When the probe in flight went out (epoch nanos), or -1; a probe with no answer within an interval no longer counts. */
    private long probeSent = -1;
    private long probeAt;
    private long interval;

    boolean open() {
        return open;
    }

    /**
     * A send got no answer or a server error.
     *
     * @return when the scope is probed next, in epoch nanos, when the circuit is (now) open; else -1
     */
    long failed(long now, CircuitSettings settings) {
        failures++;
        if (open) {
            // the probe's answer (or a send that was on its way when the circuit opened): wait longer
            interval = Math.min(settings.maxProbe().toNanos(), interval * 2);
        } else if (failures >= settings.threshold()) {
            open = true;
            interval = settings.firstProbe().toNanos();
        } else {
            return -1;
        }
        probeSent = -1;
        probeAt = now + interval;
        return probeAt;
    }

    /** The provider answered: the circuit closes. Returns whether it was open. */
    boolean answered() {
        failures = 0;
        boolean was = open;
        open = false;
        probeSent = -1;
        return was;
    }

    /**
     * How long a send that is about to go must wait, in nanos: 0 lets it go. While open, only the
     * first send after the probe time goes (the probe); the others wait for its answer. A probe
     * that brought no answer within an interval (it never went, or hangs) is replaced by the next.
     */
    long holdOff(long now) {
        if (!open) {
            return 0;
        }
        if (now < probeAt) {
            return probeAt - now;
        }
        if (probeSent >= 0 && now < probeSent + interval) {
            return probeSent + interval - now;
        }
        probeSent = now;
        return 0;
    }

    long probeAt() {
        return probeAt;
    }
}
