package dev.pacer.system;

import dev.pacer.throttle.Pacer;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Shows a running campaign: a progress bar redrawn in place on a terminal, plain lines every few
 * seconds otherwise (logs, CI).
 */
class ProgressPrinter implements Consumer<DeliveryStats.Snapshot> {

    private final PrintStream out;
    private final boolean terminal;
    private final Supplier<Pacer.ScopeView> scope;
    private final long startNanos = System.nanoTime();
    private long lastLineNanos;
    /** (time, accepted segments) samples of the last few seconds, for the achieved rate. */
    private final ArrayDeque<long[]> samples = new ArrayDeque<>();

    /**
     * @param scope the provider account's scope: its configured rate, the pace it is held to now and
     *              its provider queue estimate are shown beside the achieved rate
     */
    ProgressPrinter(PrintStream out, boolean terminal, Supplier<Pacer.ScopeView> scope) {
        this.out = out;
        this.terminal = terminal;
        this.scope = scope;
    }

    @Override
    public void accept(DeliveryStats.Snapshot s) {
        long now = System.nanoTime();
        samples.addLast(new long[]{now, s.acceptedSegments()});
        while (samples.size() > 2 && now - samples.peekFirst()[0] > 5_000_000_000L) {
            samples.removeFirst();
        }
        long[] oldest = samples.peekFirst();
        double rate = now == oldest[0] ? 0 : (s.acceptedSegments() - oldest[1]) * 60e9 / (now - oldest[0]);
        long waiting = Math.max(0, s.dispatched() - s.finished() - s.retrying());
        Pacer.ScopeView v = scope.get();
        String counts = String.format(Locale.ROOT, "done %d/%d  sent %d  accepted %d  waiting %d  retrying %d  429s %d  "
                        + "rate %.0f seg/min (pace %.0f, limit %.0f)  provider queue ~%.0f",
                s.finished(), s.dispatched(), s.attempts(), s.outcome(Outcome.ACCEPTED), waiting, s.retrying(), s.rateLimited(), rate,
                v.rate(), v.limit().perMinute(), v.queueEstimate());
        if (terminal) {
            int width = 24;
            int filled = s.dispatched() == 0 ? 0 : (int) (width * s.finished() / s.dispatched());
            out.print("\r[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + counts + "   ");
            out.flush();
        } else if (now - lastLineNanos >= 5_000_000_000L || lastLineNanos == 0) {
            out.printf(Locale.ROOT, "%6.1fs %s%n", (now - startNanos) / 1e9, counts);
            lastLineNanos = now;
        }
    }
}
