package dev.pacer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.provider.SimulatorScenario;

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
 * Runs one campaign against each hostile simulator scenario, each run in a fresh JVM with a fresh
 * H2 database (the way a user runs {@code pacer run}), and tabulates per scenario: the makespan
 * (the provider's first request to its queue drained) over the theoretical minimum (segments over the true rate,
 * or requests over the per-user limit where that binds), 429s per 1,000 sends, requests inside a
 * told wait, lockouts, messages lost (no outcome, or not accepted) and duplicated.
 */
final class LimitsBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final int[] NOTE_LENGTHS = {100, 200, 400};

    private final int messages;
    private final int rate;
    private final int runs;
    private final List<String> javaOptions;
    private final PrintStream log;

    LimitsBenchmark(int messages, int rate, int runs, List<String> javaOptions, PrintStream log) {
        if (messages < 1 || messages > ChildRun.MAX_RECIPIENTS || rate < 60 || runs < 1) {
            throw new IllegalArgumentException("messages must be 1-100000, rate at least 60 segments/min, runs at least 1");
        }
        this.messages = messages;
        this.rate = rate;
        this.runs = runs;
        this.javaOptions = javaOptions;
        this.log = log;
    }

    record Result(double ratio, double firstSend, double per1000, long insideToldWait, long lockouts, long lost, long duplicated) {
    }

    String run(List<SimulatorScenario> scenarios) throws IOException, InterruptedException {
        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "%d messages of 1-3 segments per run, true rate %d segments/min, queue %d segments; "
                + "median of %d runs (min-max)%n%n", messages, rate, queueCapacity(), runs));
        table.append("| scenario | makespan / minimum | 429s per 1,000 sends | inside told wait | lockouts | lost | duplicated | first send (s) |\n");
        table.append("|---|---|---|---|---|---|---|---|\n");
        for (SimulatorScenario scenario : scenarios) {
            List<Result> results = new ArrayList<>();
            for (int i = 1; i <= runs; i++) {
                Result r = once(scenario, i);
                log.printf(Locale.ROOT, "%s run %d: ratio %.3f, first send %.1f s, %.1f 429s per 1,000, %d inside told wait, %d lockouts, %d lost, %d duplicated%n",
                        scenario, i, r.ratio, r.firstSend, r.per1000, r.insideToldWait, r.lockouts, r.lost, r.duplicated);
                results.add(r);
            }
            table.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %d | %d | %d | %s |%n", scenario.description(),
                    ChildRun.spread(results.stream().map(Result::ratio).toList(), "%.3f"),
                    ChildRun.spread(results.stream().map(Result::per1000).toList(), "%.1f"),
                    results.stream().mapToLong(Result::insideToldWait).sum(), results.stream().mapToLong(Result::lockouts).sum(),
                    results.stream().mapToLong(Result::lost).sum(), results.stream().mapToLong(Result::duplicated).sum(),
                    ChildRun.spread(results.stream().map(Result::firstSend).toList(), "%.1f")));
        }
        table.append("\nInside told wait, lockouts, lost and duplicated are totals over all runs. The makespan runs from the provider's\n"
                + "first request to the moment its queue has sent the last segment; first send is the time from the campaign's start\n"
                + "to that first request.\n");
        return table.toString();
    }

    int queueCapacity() {
        return Math.max(10, rate / 10);
    }

    /** One Pacer run of the scenario's campaign in a fresh JVM. */
    Result once(SimulatorScenario scenario, int run) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("pacer-bench-limits");
        try {
            Path campaign = writeCampaign(dir, scenario.name().toLowerCase(Locale.ROOT) + "-" + run);
            List<String> args = List.of("run", campaign.toString(), "--report-json", dir.resolve("report.json").toString(),
                    "--simulator-json", dir.resolve("simulator.json").toString(),
                    "--pacer.data-dir=" + dir.resolve("data"),
                    "--pacer.providers.bandwidth.segments-per-minute=" + scenario.configuredRate(rate),
                    "--pacer.providers.bandwidth.burst=" + queueCapacity() / 3,
                    "--pacer.simulator.scenario=" + scenario.name(),
                    "--pacer.simulator.segments-per-minute=" + rate,
                    "--pacer.simulator.queue-capacity=" + queueCapacity(),
                    "--logging.level.dev.pacer=WARN");
            int exit = ChildRun.pacer(javaOptions, args, dir.resolve("run.log"), Duration.ofMinutes(30));
            if (!Files.exists(dir.resolve("simulator.json"))) {
                throw new IllegalStateException(scenario + " run " + run + " failed (exit " + exit + "):\n"
                        + Files.readString(dir.resolve("run.log")));
            }
            JsonNode report = JSON.readTree(dir.resolve("report.json").toFile());
            JsonNode sim = JSON.readTree(dir.resolve("simulator.json").toFile()).path("bandwidth");
            Instant started = Instant.parse(report.path("startedAt").asText());
            Instant start = Instant.parse(sim.path("firstRequestAt").asText());
            Instant drained = Instant.parse(sim.path("drainedBy").asText());
            long segments = sim.path("acceptedSegments").asLong();
            long accepted = sim.path("accepted").asLong();
            int userLimit = scenario.userLimit(rate);
            double minimum = Math.max(segments * 60.0 / rate,
                    userLimit == 0 ? 0 : accepted * (double) scenario.userWindow().toSeconds() / userLimit);
            double makespan = Duration.between(start, drained).toMillis() / 1000.0;
            long requests = Math.max(1, sim.path("requests").asLong());
            long notAccepted = report.path("messages").asLong() - report.path("outcomes").path("ACCEPTED").asLong();
            return new Result(makespan / minimum, Duration.between(started, start).toMillis() / 1000.0, 1000.0 * sim.path("rateLimited").asLong() / requests,
                    sim.path("insideToldWait").asLong(), sim.path("lockouts").asLong(), notAccepted, sim.path("duplicates").asLong());
        } finally {
            ChildRun.deleteTree(dir);
        }
    }

    private Path writeCampaign(Path dir, String name) throws IOException {
        StringBuilder csv = new StringBuilder("to,n,note\n");
        for (int i = 0; i < messages; i++) {
            csv.append(ChildRun.number(i)).append(',').append(i).append(',').append("x".repeat(NOTE_LENGTHS[i % NOTE_LENGTHS.length])).append('\n');
        }
        Files.writeString(dir.resolve("recipients.csv"), csv, StandardCharsets.UTF_8);
        Path campaign = dir.resolve("campaign.json");
        Files.writeString(campaign, JSON.createObjectNode().put("name", "bench-" + name).put("provider", "bandwidth")
                .put("from", "+12025550100").put("text", "Reminder {{n}}: {{note}}").put("recipientsFile", "recipients.csv")
                .put("priority", "bulk").toString(), StandardCharsets.UTF_8);
        return campaign;
    }

}
