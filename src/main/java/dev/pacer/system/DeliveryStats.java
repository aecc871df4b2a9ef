package dev.pacer.system;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Live counters of this node's deliveries, which {@link PacerMetrics} publishes; the audit trail is the history tables. */
public class DeliveryStats {

    final LongAdder dispatched = new LongAdder();
    final LongAdder attempts = new LongAdder();
    final LongAdder rateLimited = new LongAdder();
    final LongAdder transientFailures = new LongAdder();
    final LongAdder acceptedSegments = new LongAdder();
    private final Map<Outcome, LongAdder> finished = new EnumMap<>(Outcome.class);

    public DeliveryStats() {
        for (Outcome o : Outcome.values()) {
            finished.put(o, new LongAdder());
        }
    }

    void finished(Outcome outcome) {
        finished.get(outcome).increment();
    }

    /** Messages that reached {@code outcome} on this node. */
    long count(Outcome outcome) {
        return finished.get(outcome).sum();
    }
}
