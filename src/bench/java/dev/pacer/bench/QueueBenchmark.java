package dev.pacer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The queue-management figures, each run a real {@code pacer run} in a fresh JVM with a fresh H2
 * database:
 * <ul>
 * <li>real-time latency: a bulk campaign keeps the provider's limit saturated while single
 * messages are submitted through the process API, one a second; how long each takes to reach
 * the provider, against the length of one send slot, and how deep the provider's queue is ahead of a
 * real-time message and of a bulk one;</li>
 * <li>a big campaign: a CSV audience with the JVM's heap capped, against an unlimited simulator;
 * the heap's peak, the database's size, the time to the first send and the sustained messages per
 * second.</li>
 * </ul>
 */
final class QueueBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String UNLIMITED = "60000000";

    private final PrintStream log;

    QueueBenchmark(PrintStream log) {
        this.log = log;
    }

    String realtime(int runs, int bulk, int rate, int probes) throws IOException, InterruptedException {
        List<Double> p50 = new ArrayList<>();
        List<Double> max = new ArrayList<>();
        List<Double> highAhead = new ArrayList<>();
        List<Double> defaultAhead = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            Path dir = Files.createTempDirectory("pacer-bench-realtime");
            try {
                Path campaign = writeCampaign(dir, "realtime-" + run, bulk);
                // a provider queue of 5 s at the rate, of which Pacer keeps a third: what bulk sits behind
                int queue = rate / 12;
                int exit = ChildRun.pacer(List.of(), List.of("run", campaign.toString(), "--report-json", dir.resolve("report.json").toString(),
                        "--simulator-json", dir.resolve("simulator.json").toString(), "--metrics-json", dir.resolve("metrics.json").toString(),
                        "--realtime-probes", Integer.toString(probes), "--pacer.data-dir=" + dir.resolve("data"),
                        "--pacer.providers.bandwidth.segments-per-minute=" + rate, "--pacer.providers.bandwidth.burst=" + queue / 3,
                        "--pacer.simulator.segments-per-minute=" + rate, "--pacer.simulator.queue-capacity=" + queue,
                        "--logging.level.dev.pacer=WARN"), dir.resolve("run.log"), Duration.ofMinutes(20));
                JsonNode metrics = read(dir.resolve("metrics.json"), exit, dir);
                JsonNode sim = JSON.readTree(dir.resolve("simulator.json").toFile()).path("bandwidth");
                List<Double> latencies = new ArrayList<>();
                for (JsonNode p : metrics.path("probes")) {
                    if (!"ACCEPTED".equals(p.path("outcome").asText())) {
                        throw new IllegalStateException("a real-time probe ended " + p.path("outcome").asText() + "; see " + dir);
                    }
                    latencies.add(p.path("toProviderMillis").asDouble());
                }
                latencies.sort(null);
                p50.add(latencies.get(latencies.size() / 2));
                max.add(latencies.get(latencies.size() - 1));
                highAhead.add(sim.path("highAheadMax").asDouble());
                defaultAhead.add(sim.path("defaultAheadMax").asDouble());
                log.printf(Locale.ROOT, "realtime run %d: to provider p50 %.0f ms, max %.0f ms; provider queue ahead: real-time %.1f, bulk %.1f segments%n",
                        run, p50.get(p50.size() - 1), max.get(max.size() - 1), highAhead.get(highAhead.size() - 1), defaultAhead.get(defaultAhead.size() - 1));
            } finally {
                ChildRun.deleteTree(dir);
            }
        }
        return String.format(Locale.ROOT, """
                %d bulk messages of one segment at %d segments/min (one slot: %.0f ms), provider queue %d segments; %d real-time
                messages submitted through the process API, one a second, while the bulk campaign saturates the limit.
                %s

                | real-time to provider, p50 (ms) | real-time to provider, max (ms) | provider queue ahead of a real-time message, max (segments) | provider queue ahead of a bulk message, max (segments) |
                |---|---|---|---|
                | %s | %s | %s | %s |
                """, bulk, rate, 60_000.0 / rate, rate / 12, probes, runs == 1 ? "One run." : "Median of " + runs + " runs (min-max).", ChildRun.spread(p50, "%.0f"), ChildRun.spread(max, "%.0f"),
                ChildRun.spread(highAhead, "%.1f"), ChildRun.spread(defaultAhead, "%.1f"));
    }

    String big(int runs, int recipients, String heap) throws IOException, InterruptedException {
        List<Double> heapPeak = new ArrayList<>();
        List<Double> live = new ArrayList<>();
        List<Double> dbSize = new ArrayList<>();
        List<Double> firstSend = new ArrayList<>();
        List<Double> sustained = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            Path dir = Files.createTempDirectory("pacer-bench-big");
            try {
                UnlimitedRun r = unlimited(List.of("-Xmx" + heap), dir, "big-" + run, recipients, Duration.ofHours(2));
                JsonNode metrics = r.metrics();
                JsonNode report = r.report();
                JsonNode sim = r.simulator();
                Instant started = Instant.parse(report.path("startedAt").asText());
                Instant first = Instant.parse(sim.path("firstRequestAt").asText());
                Instant finished = Instant.parse(report.path("finishedAt").asText());
                heapPeak.add(metrics.path("heapPeakSampledBytes").asDouble() / (1 << 20));
                live.add(metrics.path("heapAfterGcPeakBytes").asDouble() / (1 << 20));
                dbSize.add(ChildRun.size(dir.resolve("data")) / (double) (1 << 20));
                firstSend.add(Duration.between(started, first).toMillis() / 1000.0);
                sustained.add(recipients / (Duration.between(first, finished).toMillis() / 1000.0));
                log.printf(Locale.ROOT, "big run %d: heap peak %.0f MiB (after GC %.0f MiB), database %.0f MiB, first send %.1f s, %.1f messages/s%n", run,
                        heapPeak.get(run - 1), live.get(run - 1), dbSize.get(run - 1), firstSend.get(run - 1), sustained.get(run - 1));
            } finally {
                ChildRun.deleteTree(dir);
            }
        }
        return String.format(Locale.ROOT, """
                %,d recipients from a CSV file, JVM heap capped at -Xmx%s, simulator and limits out of reach, H2 on disk, history on
                (audit). %s

                | heap in use, peak (MiB) | heap left after a collection, peak (MiB) | database at the end (MiB) | first send after start (s) | sustained messages/s |
                |---|---|---|---|---|
                | %s | %s | %s | %s | %s |
                """, recipients, heap, runs == 1 ? "One run." : "Median of " + runs + " runs (min-max).", ChildRun.spread(heapPeak, "%.0f"), ChildRun.spread(live, "%.0f"), ChildRun.spread(dbSize, "%.0f"),
                ChildRun.spread(firstSend, "%.1f"), ChildRun.spread(sustained, "%.1f"));
    }

    /** What a run with the limits out of reach leaves: its metrics, report and the simulator's score. */
    record UnlimitedRun(JsonNode metrics, JsonNode report, JsonNode simulator) {
    }

    /**
     * Runs a campaign of {@code recipients} one-segment messages in a fresh JVM with the provider's
     * limit and the simulator out of reach, in {@code dir}; fails unless every message was accepted once.
     */
    static UnlimitedRun unlimited(List<String> javaOptions, Path dir, String name, int recipients, Duration limit)
            throws IOException, InterruptedException {
        Path campaign = writeCampaign(dir, name, recipients);
        int exit = ChildRun.pacer(javaOptions, List.of("run", campaign.toString(),
                "--report-json", dir.resolve("report.json").toString(), "--simulator-json", dir.resolve("simulator.json").toString(),
                "--metrics-json", dir.resolve("metrics.json").toString(), "--pacer.data-dir=" + dir.resolve("data"),
                "--pacer.providers.bandwidth.segments-per-minute=" + UNLIMITED, "--pacer.simulator.segments-per-minute=" + UNLIMITED,
                "--pacer.simulator.queue-capacity=" + UNLIMITED, "--logging.level.dev.pacer=WARN"), dir.resolve("run.log"), limit);
        JsonNode metrics = read(dir.resolve("metrics.json"), exit, dir);
        JsonNode report = JSON.readTree(dir.resolve("report.json").toFile());
        JsonNode sim = JSON.readTree(dir.resolve("simulator.json").toFile()).path("bandwidth");
        if (sim.path("accepted").asLong() != recipients || report.path("outcomes").path("ACCEPTED").asLong() != recipients) {
            throw new IllegalStateException("not every message was accepted once; see " + dir);
        }
        return new UnlimitedRun(metrics, report, sim);
    }

    private static JsonNode read(Path metrics, int exit, Path dir) throws IOException {
        if (!Files.exists(metrics)) {
            throw new IllegalStateException("the run failed (exit " + exit + "):\n" + Files.readString(dir.resolve("run.log")));
        }
        return JSON.readTree(metrics.toFile());
    }

    private static Path writeCampaign(Path dir, String name, int recipients) throws IOException {
        if (recipients < 1 || recipients > ChildRun.MAX_RECIPIENTS) {
            throw new IllegalArgumentException("recipients must be 1-" + ChildRun.MAX_RECIPIENTS);
        }
        try (BufferedWriter csv = Files.newBufferedWriter(dir.resolve("recipients.csv"), StandardCharsets.UTF_8)) {
            csv.write("to,n\n");
            for (int i = 0; i < recipients; i++) {
                csv.write(ChildRun.number(i) + "," + i + "\n");
            }
        }
        Path campaign = dir.resolve("campaign.json");
        Files.writeString(campaign, JSON.createObjectNode().put("name", "bench-" + name).put("provider", "bandwidth")
                .put("from", "+12025550100").put("text", "Reminder {{n}}: your appointment is tomorrow.").put("recipientsFile", "recipients.csv")
                .toString(), StandardCharsets.UTF_8);
        return campaign;
    }
}
