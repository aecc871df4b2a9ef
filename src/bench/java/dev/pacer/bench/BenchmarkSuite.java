package dev.pacer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.provider.bandwidth.BandwidthSimulator;
import dev.pacer.provider.SimulatorScenario;
import dev.pacer.sms.Segments;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code pacer bench}: the benchmark suite of docs/benchmarks.md in one command.
 * <ol>
 * <li>Pacer side by side with the baselines a user would otherwise pick (the naive loop, Camel's
 *     Throttle EIP with redelivery, resilience4j's RateLimiter with Retry), on the same campaign
 *     against the same hostile simulator, with the limit known and with it unknown.</li>
 * <li>The orchestrator's ceiling: messages per second end to end (BPMN, Camel, HTTP, history on)
 *     against a simulator with no limit, with the JVM's CPU use.</li>
 * <li>Timer lateness and start-up time.</li>
 * </ol>
 * Each figure is the median of {@code runs} runs, with its range.
 */
final class BenchmarkSuite {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TIMERS = Pattern.compile("lateness p50 (\\d+) ms, p99 (\\d+) ms");
    private static final Pattern STARTED = Pattern.compile("Started PacerApplication in ([0-9.]+) seconds \\(process running for ([0-9.]+)\\)");
    private static final String FROM = "+12025550100";
    private static final Pattern SEND_PATH = Pattern.compile("send path: \\d+ messages in [0-9.]+ s: (\\d+) messages/s, ([0-9.]+) cores busy");

    private final int messages;
    private final int rate;
    private final int runs;
    private final int ceilingMessages;
    private final List<String> javaOptions;
    private final PrintStream log;

    BenchmarkSuite(int messages, int rate, int runs, int ceilingMessages, List<String> javaOptions, PrintStream log) {
        if (runs < 1 || ceilingMessages < 1 || ceilingMessages > ChildRun.MAX_RECIPIENTS) {
            throw new IllegalArgumentException("runs must be at least 1 and ceiling messages 1-" + ChildRun.MAX_RECIPIENTS);
        }
        this.messages = messages;
        this.rate = rate;
        this.runs = runs;
        this.ceilingMessages = ceilingMessages;
        this.javaOptions = javaOptions;
        this.log = log;
    }

    String run(List<SimulatorScenario> scenarios, boolean comparison, boolean ceiling, boolean timers) throws Exception {
        StringBuilder out = new StringBuilder();
        if (comparison) {
            out.append(comparison(scenarios)).append('\n');
        }
        if (ceiling) {
            out.append(ceiling()).append('\n');
        }
        if (timers) {
            out.append(timersAndStartUp());
        }
        return out.toString();
    }

    /** The benchmark campaign: the texts {@link LimitsBenchmark} has Pacer send, 1 to 3 segments each. */
    List<BenchMessage> campaign(String name) {
        List<BenchMessage> list = new ArrayList<>();
        for (int i = 0; i < messages; i++) {
            String text = "Reminder " + i + ": " + "x".repeat(LimitsBenchmark.NOTE_LENGTHS[i % LimitsBenchmark.NOTE_LENGTHS.length]);
            list.add(new BenchMessage(name + "/" + i, ChildRun.number(i), text, Segments.count(text).segments()));
        }
        return list;
    }

    String comparison(List<SimulatorScenario> scenarios) throws Exception {
        LimitsBenchmark pacer = new LimitsBenchmark(messages, rate, 1, javaOptions, log);
        List<Baseline> baselines = List.of(new NaiveLoop(8), new CamelBaseline(8), new Resilience4jBaseline(8));
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%d messages of 1-3 segments per run, true rate %d segments/min, "
                + "queue %d segments, 8 requests in flight at most; median of %d runs (min-max). A run is stopped at 3x the minimum + 10 s: "
                + "what the provider has not accepted by then is lost, and the ratio is then a lower bound (marked >=).%n%n",
                messages, rate, pacer.queueCapacity(), runs));
        table.append("| limit | sender | makespan / minimum | 429s per 1,000 sends | inside told wait | lockouts | lost | duplicated |\n");
        table.append("|---|---|---|---|---|---|---|---|\n");
        for (SimulatorScenario scenario : scenarios) {
            Map<String, List<LimitsBenchmark.Result>> results = new LinkedHashMap<>();
            Map<String, Boolean> bounded = new LinkedHashMap<>();
            for (int run = 1; run <= runs; run++) {
                List<BenchMessage> campaign = campaign(scenario.name().toLowerCase(Locale.ROOT) + "-" + run);
                ExecutorService side = Executors.newFixedThreadPool(baselines.size());
                try {
                    List<Future<BaselineRun>> futures = new ArrayList<>();
                    for (Baseline b : baselines) {
                        int seed = run;
                        futures.add(side.submit(() -> baseline(b, scenario, campaign, seed)));
                    }
                    for (int i = 0; i < baselines.size(); i++) {
                        BaselineRun o = futures.get(i).get();
                        record(results, bounded, baselines.get(i).name(), o.result, o.bounded, scenario, run);
                    }
                } finally {
                    side.shutdownNow();
                }
                LimitsBenchmark.Result p = pacer.once(scenario, run);
                record(results, bounded, "Pacer", p, false, scenario, run);
            }
            for (var e : results.entrySet()) {
                List<LimitsBenchmark.Result> rs = e.getValue();
                table.append(String.format(Locale.ROOT, "| %s | %s | %s%s | %s | %d | %d | %d | %d |%n", scenario.description(), e.getKey(),
                        bounded.get(e.getKey()) ? ">= " : "", ChildRun.spread(rs.stream().map(LimitsBenchmark.Result::ratio).toList(), "%.3f"),
                        ChildRun.spread(rs.stream().map(LimitsBenchmark.Result::per1000).toList(), "%.1f"),
                        rs.stream().mapToLong(LimitsBenchmark.Result::insideToldWait).sum(), rs.stream().mapToLong(LimitsBenchmark.Result::lockouts).sum(),
                        rs.stream().mapToLong(LimitsBenchmark.Result::lost).sum(), rs.stream().mapToLong(LimitsBenchmark.Result::duplicated).sum()));
            }
        }
        table.append("\nInside told wait, lockouts, lost and duplicated are totals over all runs. The makespan runs from the provider's first\n"
                + "request to the moment its queue has sent the last segment; the minimum is the segments it accepted over the true rate. Each\n"
                + "baseline is configured with the limit Pacer is given (the true one, or twice it when the limit is unknown).\n");
        return table.toString();
    }

    private void record(Map<String, List<LimitsBenchmark.Result>> results, Map<String, Boolean> bounded, String name,
                        LimitsBenchmark.Result r, boolean stopped, SimulatorScenario scenario, int run) {
        results.computeIfAbsent(name, k -> new ArrayList<>()).add(r);
        bounded.merge(name, stopped, Boolean::logicalOr);
        log.printf(Locale.ROOT, "%s, %s, run %d: ratio %s%.3f, %.1f 429s per 1,000, %d inside told wait, %d lockouts, %d lost, %d duplicated%n",
                scenario, name, run, stopped ? ">= " : "", r.ratio(), r.per1000(), r.insideToldWait(), r.lockouts(), r.lost(), r.duplicated());
    }

    private record BaselineRun(LimitsBenchmark.Result result, boolean bounded) {
    }

    /** One baseline run against a fresh simulator playing the scenario, stopped at 3x the minimum + 10 s. */
    private BaselineRun baseline(Baseline baseline, SimulatorScenario scenario, List<BenchMessage> campaign, int seed) throws Exception {
        int capacity = Math.max(10, rate / 10);
        try (BandwidthSimulator sim = new BandwidthSimulator(new BandwidthSimulator.Settings("bench-account", "bench-user", "bench-secret",
                scenario.settings(rate, capacity)),
                Clock.systemUTC(), new SplittableRandom(seed))) {
            int segments = campaign.stream().mapToInt(BenchMessage::segments).sum();
            double minimum = segments * 60.0 / rate;
            Instant start = Instant.now();
            Instant stopAt = start.plusMillis((long) (minimum * 3000) + 10_000);
            BenchTarget target = new BenchTarget(sim.baseUrl(), "bench-account", "bench-application", "bench-user", "bench-secret",
                    scenario.configuredRate(rate), segments / (double) campaign.size());
            ExecutorService one = Executors.newSingleThreadExecutor();
            Future<Long> sending = one.submit(() -> baseline.send(campaign, target, FROM, stopAt));
            boolean stopped = false;
            try {
                sending.get(Duration.between(Instant.now(), stopAt).toMillis() + 2000, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                sending.cancel(true);
                stopped = true;
            } finally {
                one.shutdownNow();
                one.awaitTermination(10, TimeUnit.SECONDS);
            }
            BandwidthSimulator.Stats s = sim.stats();
            long distinct = s.accepted() - s.duplicates();
            long lost = campaign.size() - distinct;
            stopped |= lost > 0 && Instant.now().isAfter(stopAt);
            Instant first = s.firstRequestAt() == null ? start : s.firstRequestAt();
            Instant end = stopped ? (s.drainedBy() != null && s.drainedBy().isAfter(stopAt) ? s.drainedBy() : stopAt) : s.drainedBy();
            double makespan = Duration.between(first, end == null ? first : end).toMillis() / 1000.0;
            long requests = Math.max(1, s.requests());
            // against what the provider accepted, as for Pacer: a sender that gave up on messages is not faster for it
            double acceptedMinimum = Math.max(1, s.acceptedSegments()) * 60.0 / rate;
            return new BaselineRun(new LimitsBenchmark.Result(makespan / acceptedMinimum, Duration.between(start, first).toMillis() / 1000.0,
                    1000.0 * s.rateLimited() / requests, s.insideToldWait(), s.lockouts(), lost, s.duplicates()), stopped);
        }
    }

    /** Messages per second end to end with the limits out of reach, and the JVM's CPU use. */
    String ceiling() throws IOException, InterruptedException {
        List<Double> perSecond = new ArrayList<>();
        List<Double> cores = new ArrayList<>();
        List<Double> pathPerSecond = new ArrayList<>();
        List<Double> pathCores = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            Path dir = Files.createTempDirectory("pacer-bench-ceiling");
            try {
                QueueBenchmark.UnlimitedRun r = QueueBenchmark.unlimited(javaOptions, dir, "ceiling-" + run, ceilingMessages,
                        Duration.ofMinutes(30));
                JsonNode metrics = r.metrics();
                JsonNode report = r.report();
                Instant started = Instant.parse(report.path("startedAt").asText());
                Instant finished = Instant.parse(report.path("finishedAt").asText());
                perSecond.add(ceilingMessages / (Duration.between(started, finished).toMillis() / 1000.0));
                cores.add(metrics.path("cpuSeconds").asDouble() / metrics.path("wallSeconds").asDouble());
                log.printf(Locale.ROOT, "ceiling run %d: %.1f messages/s, %.2f cores busy%n", run, perSecond.get(run - 1), cores.get(run - 1));
            } finally {
                ChildRun.deleteTree(dir);
            }
            sendPath(pathPerSecond, pathCores, run);
        }
        return String.format(Locale.ROOT, """
                Orchestrator ceiling: %,d one-segment messages, the provider's limit and the simulator out of reach, H2 on disk, history
                on (trail), %d cores. From the campaign's start to the last outcome; CPU from the engine's start to the campaign's end.
                Median of %d runs (min-max).

                | path | messages per second | JVM CPU, cores busy |
                |---|---|---|
                | end to end: BPMN, Camel, HTTP, history | %s | %s |
                | the send path alone: pacer, Camel, HTTP (and the simulator, in the same JVM), no engine | %s | %s |
                """, ceilingMessages, Runtime.getRuntime().availableProcessors(), runs, ChildRun.spread(perSecond, "%.1f"),
                ChildRun.spread(cores, "%.2f"), ChildRun.spread(pathPerSecond, "%.0f"), ChildRun.spread(pathCores, "%.2f"));
    }

    /** The send path without the engine ({@code bench-send-path}) in a fresh JVM, the same number of messages. */
    private void sendPath(List<Double> perSecond, List<Double> cores, int run) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("pacer-bench-send-path");
        try {
            int exit = ChildRun.pacer(javaOptions, List.of("bench-send-path", "--messages", String.valueOf(ceilingMessages),
                    "--pacer.data-dir=" + dir.resolve("data"), "--pacer.providers.bandwidth.segments-per-minute=" + QueueBenchmark.UNLIMITED,
                    "--pacer.simulator.segments-per-minute=" + QueueBenchmark.UNLIMITED,
                    "--pacer.simulator.queue-capacity=" + QueueBenchmark.UNLIMITED, "--logging.level.dev.pacer=WARN"),
                    dir.resolve("run.log"), Duration.ofMinutes(10));
            String output = Files.readString(dir.resolve("run.log"));
            Matcher m = SEND_PATH.matcher(output);
            if (exit != 0 || !m.find()) {
                throw new IllegalStateException("bench-send-path failed (exit " + exit + "):\n" + output);
            }
            perSecond.add(Double.parseDouble(m.group(1)));
            cores.add(Double.parseDouble(m.group(2)));
            log.printf(Locale.ROOT, "send path run %d: %s messages/s, %s cores busy%n", run, m.group(1), m.group(2));
        } finally {
            ChildRun.deleteTree(dir);
        }
    }

    /** Timer lateness (bench-timers: 200 one-second timers) and start-up time, each run in a fresh JVM. */
    String timersAndStartUp() throws IOException, InterruptedException {
        List<Double> p50 = new ArrayList<>();
        List<Double> p99 = new ArrayList<>();
        List<Double> started = new ArrayList<>();
        List<Double> process = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            Path dir = Files.createTempDirectory("pacer-bench-timers");
            try {
                int exit = ChildRun.pacer(javaOptions, List.of("bench-timers", "--pacer.data-dir=" + dir.resolve("data")),
                        dir.resolve("run.log"), Duration.ofMinutes(10));
                String output = Files.readString(dir.resolve("run.log"));
                Matcher t = TIMERS.matcher(output);
                Matcher s = STARTED.matcher(output);
                if (exit != 0 || !t.find() || !s.find()) {
                    throw new IllegalStateException("bench-timers failed (exit " + exit + "):\n" + output);
                }
                p50.add(Double.parseDouble(t.group(1)));
                p99.add(Double.parseDouble(t.group(2)));
                started.add(Double.parseDouble(s.group(1)));
                process.add(Double.parseDouble(s.group(2)));
                log.printf(Locale.ROOT, "timers run %d: p50 %s ms, p99 %s ms; started in %s s (JVM up %s s)%n", run, t.group(1), t.group(2),
                        s.group(1), s.group(2));
            } finally {
                ChildRun.deleteTree(dir);
            }
        }
        Function<List<Double>, String> ms = v -> ChildRun.spread(v, "%.0f");
        return String.format(Locale.ROOT, """
                Timer lateness: 200 one-second BPMN timers on an idle engine, lateness = end - start - 1 s. Start-up: Spring's "Started"
                line (engine, REST, Camel, a fresh H2 database), and the JVM's own uptime at that point. Median of %d runs (min-max).

                | timer lateness p50 (ms) | timer lateness p99 (ms) | start-up (s) | JVM up at start-up (s) |
                |---|---|---|---|
                | %s | %s | %s | %s |
                """, runs, ms.apply(p50), ms.apply(p99), ChildRun.spread(started, "%.1f"), ChildRun.spread(process, "%.1f"));
    }
}
