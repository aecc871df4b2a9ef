package dev.pacer.cli;

import dev.pacer.flow.Outcome;
import dev.pacer.metrics.PacerMetrics;
import dev.pacer.throttle.ScopeView;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Shows a running campaign from the live metrics ({@link PacerMetrics}, the numbers Prometheus
 * scrapes): a progress bar redrawn in place on a terminal, plain lines every few seconds otherwise
 * (logs, CI).
 */
class ProgressPrinter implements Runnable {

    private final PrintStream out;
    private final boolean terminal;
    private final Supplier<PacerMetrics.Snapshot> metrics;
    private final Function<String, ScopeView> scopes;
    private final String scope;
    private final long startNanos = System.nanoTime();
    private long lastLineNanos;
    /** (time, accepted segments) samples of the last few seconds, for the achieved rate. */
    private final ArrayDeque<long[]> samples = new ArrayDeque<>();

    /**
     * @param scope the provider account's scope: its limit, the pace it is held to now and its
     *              provider queue estimate are shown beside the achieved rate
     */
    ProgressPrinter(PrintStream out, boolean terminal, Supplier<PacerMetrics.Snapshot> metrics, Function<String, ScopeView> scopes,
                    String scope) {
        this.out = out;
        this.terminal = terminal;
        this.metrics = metrics;
        this.scopes = scopes;
        this.scope = scope;
    }

    @Override
    public void run() {
        PacerMetrics.Snapshot s = metrics.get();
        long now = System.nanoTime();
        ScopeView v = scopes.apply(scope);
        boolean requests = v.limit().unit() == dev.pacer.throttle.ScopeLimit.Unit.REQUESTS;
        // a limit in requests is measured in messages taken, one request each
        samples.addLast(new long[]{now, requests ? s.outcome(Outcome.ACCEPTED) : s.acceptedSegments()});
        while (samples.size() > 2 && now - samples.peekFirst()[0] > 5_000_000_000L) {
            samples.removeFirst();
        }
        long[] oldest = samples.peekFirst();
        double rate = now == oldest[0] ? 0 : (samples.peekLast()[1] - oldest[1]) * 60e9 / (now - oldest[0]);
        String counts = String.format(Locale.ROOT, "done %d/%d  sent %d  accepted %d  429s %d  in flight %d  "
                        + "waiting: pace %d, 429 %d, back-off %d, window %d, paused %d  "
                        + "rate %.0f %s/min (pace %.0f, limit %.0f)  provider queue ~%.0f",
                s.finished(), s.dispatched(), s.attempts(), s.outcome(Outcome.ACCEPTED), s.rateLimited(), s.inFlight(),
                s.waiting("throttle"), s.waiting("retry_after"), s.waiting("backoff"), s.waiting("send_window"), s.waiting("paused"),
                rate, requests ? "req" : "seg", v.rate(), v.limit().perMinute(), v.queueEstimate());
        if (v.down()) {
            counts += "  PROVIDER DOWN (probing; messages wait)";
        }
        if (s.waiting("incident") > 0) {
            counts += "  INCIDENTS " + s.waiting("incident") + " (see Cockpit)";
        }
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
