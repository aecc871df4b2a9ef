package dev.pacer.metrics;

import dev.pacer.flow.Doubt;
import dev.pacer.flow.Outcome;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Live counters of this node's deliveries, which {@link PacerMetrics} publishes; the audit trail is the history tables. */
public class DeliveryStats {

    private final LongAdder dispatched = new LongAdder();
    private final LongAdder attempts = new LongAdder();
    private final LongAdder rateLimited = new LongAdder();
    private final LongAdder transientFailures = new LongAdder();
    private final LongAdder acceptedSegments = new LongAdder();
    private final LongAdder inDoubt = new LongAdder();
    private final LongAdder failedOver = new LongAdder();
    private final Map<String, LongAdder> receipts = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Outcome, LongAdder> finished = new EnumMap<>(Outcome.class);
    private final Map<Doubt, LongAdder> settled = new EnumMap<>(Doubt.class);
    private volatile DeliveryListener listener = new DeliveryListener() {
    };

    public DeliveryStats() {
        for (Outcome o : Outcome.values()) {
            finished.put(o, new LongAdder());
        }
        for (Doubt d : Doubt.values()) {
            settled.put(d, new LongAdder());
        }
    }

    /** Tells {@code listener} of failed messages and paused scopes from now on. */
    public void listen(DeliveryListener listener) {
        this.listener = listener;
    }

    /** A message ended without reaching the provider (after its transaction committed). */
    public void messageFailed(String campaignId, String key, Outcome outcome, String reason) {
        listener.messageFailed(campaignId, key, outcome, reason);
    }

    /** A recipient replied something that is no keyword. */
    public void replied(String account, String from, String to, String text) {
        listener.replied(account, from, to, text);
    }

    /** A scope was paused until {@code until}. */
    public void scopePaused(String scope, java.time.Instant until, String reason) {
        listener.scopePaused(scope, until, reason);
    }

    /** A send's answer was lost: it is in doubt until settled. */
    public void inDoubt() {
        inDoubt.increment();
    }

    /** A message's receipt was recorded as {@code how}: its receipt class ({@code delivered}, {@code failed}...), or {@code none}. */
    public void receipt(String how) {
        receipts.computeIfAbsent(how, k -> new LongAdder()).increment();
    }

    /** Receipts recorded on this node, by class. */
    public Map<String, Long> receiptCounts() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        receipts.forEach((k, v) -> counts.put(k, v.sum()));
        return counts;
    }

    /** A message its provider certainly did not take went to its fallback account. */
    public void failedOver() {
        failedOver.increment();
    }

    long failedOverCount() {
        return failedOver.sum();
    }

    public void settled(Doubt how) {
        settled.get(how).increment();
    }

    long inDoubtCount() {
        return inDoubt.sum();
    }

    /** Sends in doubt settled {@code how} on this node. */
    public long settledCount(Doubt how) {
        return settled.get(how).sum();
    }

    public void dispatched(int messages) {
        dispatched.add(messages);
    }

    public void attempted() {
        attempts.increment();
    }

    public void rateLimited() {
        rateLimited.increment();
    }

    public void transientFailure() {
        transientFailures.increment();
    }

    public void accepted(int segments) {
        acceptedSegments.add(segments);
    }

    public void finished(Outcome outcome) {
        finished.get(outcome).increment();
    }

    /** Messages that reached {@code outcome} on this node. */
    public long count(Outcome outcome) {
        return finished.get(outcome).sum();
    }

    long dispatched() {
        return dispatched.sum();
    }

    long attempts() {
        return attempts.sum();
    }

    long rateLimitedCount() {
        return rateLimited.sum();
    }

    long transientFailures() {
        return transientFailures.sum();
    }

    long acceptedSegments() {
        return acceptedSegments.sum();
    }
}
