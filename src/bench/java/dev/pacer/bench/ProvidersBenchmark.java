package dev.pacer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

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
 * One campaign through each provider's built-in simulator, side by side, each run in a fresh JVM
 * with a fresh H2 database, each provider playing its own kind of hostile: Bandwidth configured at
 * twice its true rate (its 429 body states the real one); Twilio one sender whose queue drains at
 * half the configured rate (21611s) and an account that takes 2 requests at once against Pacer's 8
 * (20429s); Genesys Cloud an OAuth client whose limit is half the one configured, 429s whose two
 * waits disagree, and tokens that live 20 s. Per provider: the makespan (the provider's first
 * request to the campaign's last outcome) over the minimum the true limit allows, the back-pressure
 * answers per 1,000 sends, token requests, and messages lost or sent twice.
 */
final class ProvidersBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One provider's hostile set-up: its account's properties and its simulator's. */
    enum Provider {
        BANDWIDTH("bandwidth", "configured 2x the true rate; the 429 body states the real one"),
        TWILIO_QUEUE("twilio", "one sender draining at half the configured rate (21611)"),
        TWILIO_CONCURRENCY("twilio", "the account takes 2 requests at once, answering in 0.2 s, against Pacer's 8 (20429)"),
        GENESYS("genesys", "client limit half the one configured, disagreeing Retry-After, tokens living 20 s");

        final String account;
        final String description;

        Provider(String account, String description) {
            this.account = account;
            this.description = description;
        }
    }

    record Result(double ratio, double per1000, long tokens, long lost, long duplicated) {
    }

    private final int messages;
    private final int rate;
    private final int runs;
    private final List<String> javaOptions;
    private final PrintStream log;

    /** @param rate the providers' true rate, segments per minute (Genesys Cloud: half as many requests, one per message of 2 segments) */
    ProvidersBenchmark(int messages, int rate, int runs, List<String> javaOptions, PrintStream log) {
        if (messages < 1 || messages > ChildRun.MAX_RECIPIENTS || rate < 60 || runs < 1) {
            throw new IllegalArgumentException("messages must be 1-100000, rate at least 60 segments/min, runs at least 1");
        }
        this.messages = messages;
        this.rate = rate;
        this.runs = runs;
        this.javaOptions = javaOptions;
        this.log = log;
    }

    String run() throws IOException, InterruptedException {
        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "%d messages of 1-3 segments (2 on average) per run, true rate %d segments/min "
                + "(Genesys Cloud: %d requests/min); median of %d runs (min-max), providers alternating%n%n",
                messages, rate, rate / 4, runs));
        table.append("| provider | hostile in this way | makespan / minimum | back-pressure answers per 1,000 sends | token requests | lost | duplicated |\n");
        table.append("|---|---|---|---|---|---|---|\n");
        List<List<Result>> results = new ArrayList<>();
        for (Provider ignored : Provider.values()) {
            results.add(new ArrayList<>());
        }
        for (int i = 1; i <= runs; i++) {
            for (Provider p : Provider.values()) {
                Result r = once(p, i);
                log.printf(Locale.ROOT, "%s run %d: ratio %.3f, %.1f back-pressure answers per 1,000, %d token requests, %d lost, %d duplicated%n",
                        p, i, r.ratio, r.per1000, r.tokens, r.lost, r.duplicated);
                results.get(p.ordinal()).add(r);
            }
        }
        for (Provider p : Provider.values()) {
            List<Result> rs = results.get(p.ordinal());
            table.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %d | %d |%n", p.account, p.description,
                    ChildRun.spread(rs.stream().map(Result::ratio).toList(), "%.3f"),
                    ChildRun.spread(rs.stream().map(Result::per1000).toList(), "%.1f"),
                    p == Provider.GENESYS ? ChildRun.spread(rs.stream().map(r -> (double) r.tokens()).toList(), "%.0f") : "-",
                    rs.stream().mapToLong(Result::lost).sum(), rs.stream().mapToLong(Result::duplicated).sum()));
        }
        table.append("\nBack-pressure answers: Bandwidth's and Genesys Cloud's 429s, Twilio's 21611s and 20429s. Lost and duplicated are\n"
                + "totals over all runs (duplicated: the simulator accepted the same recipient and text twice). The makespan runs from\n"
                + "the provider's first request to Bandwidth's queue drained, or to the last outcome; the minimum is what the true limit\n"
                + "allows: segments over the rate (Twilio's queue: all but a full queue's worth), 0.2 s per request per place for\n"
                + "Twilio's 2 at once, requests over Genesys Cloud's per-client limit (its fixed one-minute windows let a window's\n"
                + "worth through at once, so it can be beaten).\n");
        return table.toString();
    }

    private Result once(Provider p, int run) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("pacer-bench-providers");
        try {
            Path campaign = writeCampaign(dir, p.account + "-" + run, p.account);
            List<String> args = new ArrayList<>(List.of("run", campaign.toString(), "--report-json", dir.resolve("report.json").toString(),
                    "--simulator-json", dir.resolve("simulator.json").toString(), "--pacer.data-dir=" + dir.resolve("data"),
                    "--logging.level.dev.pacer=WARN", "--pacer.simulator.lockout=PT60S"));
            String account = "--pacer.providers." + p.account + ".";
            switch (p) {
                case BANDWIDTH -> args.addAll(List.of(account + "segments-per-minute=" + 2 * rate, account + "burst=" + rate / 60,
                        "--pacer.simulator.scenario=HALF_RATE_STATED", "--pacer.simulator.segments-per-minute=" + rate,
                        "--pacer.simulator.queue-capacity=" + rate / 10));
                case TWILIO_QUEUE -> args.addAll(List.of(account + "segments-per-minute=" + 2 * rate,
                        "--pacer.simulator.segments-per-minute=" + rate, "--pacer.simulator.queue-capacity=" + rate / 10));
                case TWILIO_CONCURRENCY -> args.addAll(List.of(account + "segments-per-minute=" + rate, account + "max-in-flight=8",
                        "--pacer.simulator.segments-per-minute=" + 100 * rate, "--pacer.simulator.queue-capacity=" + 100 * rate,
                        "--pacer.simulator.concurrency=2", "--pacer.simulator.latency=PT0.2S"));
                case GENESYS -> args.addAll(List.of(account + "requests-per-minute=" + rate / 2, account + "rate-limit-headers=account",
                        "--pacer.simulator.segments-per-minute=" + rate / 4, "--pacer.simulator.retry-after=SECONDS",
                        "--pacer.simulator.inconsistent-retry-after=true", "--pacer.simulator.token-lifetime=PT20S"));
            }
            int exit = ChildRun.pacer(javaOptions, args, dir.resolve("run.log"), Duration.ofMinutes(30));
            if (!Files.exists(dir.resolve("simulator.json"))) {
                throw new IllegalStateException(p + " run " + run + " failed (exit " + exit + "):\n" + Files.readString(dir.resolve("run.log")));
            }
            JsonNode report = JSON.readTree(dir.resolve("report.json").toFile());
            JsonNode sim = JSON.readTree(dir.resolve("simulator.json").toFile()).path(p.account);
            Instant first = Instant.parse(sim.path("firstRequestAt").asText());
            // Bandwidth: until its queue has sent the last segment; the others: until the last outcome
            Instant last = Instant.parse(p == Provider.BANDWIDTH ? sim.path("drainedBy").asText() : report.path("finishedAt").asText());
            long accepted = sim.path("accepted").asLong();
            long segments = report.path("acceptedSegments").asLong();
            double minimum = switch (p) {
                case GENESYS -> accepted * 60.0 / (rate / 4.0);
                // the last message is taken once all but a full queue's worth has drained
                case TWILIO_QUEUE -> Math.max(0, segments - rate / 10) * 60.0 / rate;
                case TWILIO_CONCURRENCY -> Math.max(segments * 60.0 / rate, accepted * 0.2 / 2);
                default -> segments * 60.0 / rate;
            };
            long requests = Math.max(1, sim.path("requests").asLong());
            long pushedBack = switch (p) {
                case TWILIO_QUEUE, TWILIO_CONCURRENCY -> sim.path("queueFull").asLong() + sim.path("tooManyConcurrent").asLong();
                default -> sim.path("rateLimited").asLong();
            };
            long notAccepted = report.path("messages").asLong() - report.path("outcomes").path("ACCEPTED").asLong();
            return new Result(Duration.between(first, last).toMillis() / 1000.0 / minimum, 1000.0 * pushedBack / requests,
                    sim.path("tokenRequests").asLong(), notAccepted, sim.path("duplicates").asLong());
        } finally {
            ChildRun.deleteTree(dir);
        }
    }

    private Path writeCampaign(Path dir, String name, String provider) throws IOException {
        StringBuilder csv = new StringBuilder("to,n,note\n");
        for (int i = 0; i < messages; i++) {
            csv.append(ChildRun.number(i)).append(',').append(i).append(',')
                    .append("x".repeat(LimitsBenchmark.NOTE_LENGTHS[i % LimitsBenchmark.NOTE_LENGTHS.length])).append('\n');
        }
        Files.writeString(dir.resolve("recipients.csv"), csv, StandardCharsets.UTF_8);
        Path campaign = dir.resolve("campaign.json");
        Files.writeString(campaign, JSON.createObjectNode().put("name", "bench-" + name).put("provider", provider)
                .put("from", "+12025550100").put("text", "Reminder {{n}}: {{note}}").put("recipientsFile", "recipients.csv")
                .put("priority", "bulk").toString(), StandardCharsets.UTF_8);
        return campaign;
    }
}
