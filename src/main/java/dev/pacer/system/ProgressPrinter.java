package dev.pacer.system;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Shows a running campaign: a progress bar redrawn in place on a terminal, plain lines every few
 * seconds otherwise (logs, CI).
 */
class ProgressPrinter implements Consumer<DeliveryStats.Snapshot> {

    private final PrintStream out;
    private final boolean terminal;
    private final long startNanos = System.nanoTime();
    private long lastLineNanos;
    private long lastSegments;
    private long lastNanos = startNanos;
    private double rate;

    ProgressPrinter(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    @Override
    public void accept(DeliveryStats.Snapshot s) {
        long now = System.nanoTime();
        double dt = (now - lastNanos) / 1e9;
        if (dt > 0) {
            double instant = (s.acceptedSegments() - lastSegments) / dt * 60;
            rate = rate == 0 ? instant : 0.7 * rate + 0.3 * instant;
        }
        lastSegments = s.acceptedSegments();
        lastNanos = now;
        long waiting = Math.max(0, s.dispatched() - s.finished() - s.retrying());
        String counts = String.format(Locale.ROOT, "done %d/%d  sent %d  accepted %d  waiting %d  retrying %d  429s %d  %.0f seg/min",
                s.finished(), s.dispatched(), s.attempts(), s.outcome(Outcome.ACCEPTED), waiting, s.retrying(), s.rateLimited(), rate);
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
