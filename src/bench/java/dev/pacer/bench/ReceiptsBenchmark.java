package dev.pacer.bench;

import dev.pacer.cli.ServerClient;
import dev.pacer.provider.SimulatorProperties;
import dev.pacer.provider.bandwidth.BandwidthSimulator;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Receipts against {@code pacer serve} (a fresh JVM and H2 database per run) and a Bandwidth
 * simulator in this JVM, which stands for the provider and outlives nothing:
 *
 * <ul>
 *   <li><b>Receipts handled per second.</b> A campaign's messages are all taken by the provider and
 *   wait for their receipts; then every receipt is posted at once by {@code posters} threads, one
 *   event per post as Bandwidth does. Timed from the first post to the report counting every
 *   message {@code DELIVERED}, and the posts' own answer times.</li>
 *   <li><b>A daily cap.</b> The provider takes {@code cap} messages a day, then fails each message
 *   with 4780 in a receipt {@code delay} later. Counted: messages sent into the cap, and of those,
 *   sent after the first cap receipt was posted. Then the same with {@code daily-quota} set to the
 *   cap, which should send none into it.</li>
 * </ul>
 */
final class ReceiptsBenchmark {

    private static final String PASSWORD = "bench-receipts";
    private static final String CALLBACK_PASSWORD = "bench-callbacks";

    private final PrintStream progress;

    ReceiptsBenchmark(PrintStream progress) {
        this.progress = progress;
    }

    /** Receipts handled per second, {@code runs} times. */
    String throughput(int runs, int messages, int posters) throws Exception {
        List<Double> perSecond = new ArrayList<>();
        List<Double> p50 = new ArrayList<>();
        List<Double> max = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            double[] r = throughputOnce(run, messages, posters);
            perSecond.add(r[0]);
            p50.add(r[1]);
            max.add(r[2]);
        }
        return String.format(Locale.ROOT, "%d receipts (Bandwidth, one event a post) posted by %d threads at once to messages waiting for "
                        + "them; median (range) of %d runs.%n%n| receipts applied per second | post answered in, p50 (ms) | slowest post (ms) |%n"
                        + "|---|---|---|%n| %s | %s | %s |%n", messages, posters, runs, ChildRun.spread(perSecond, "%.0f"),
                ChildRun.spread(p50, "%.0f"), ChildRun.spread(max, "%.0f"));
    }

    private double[] throughputOnce(int run, int messages, int posters) throws Exception {
        Path dir = Files.createTempDirectory("pacer-bench-receipts");
        int rate = 60_000;
        try (BandwidthSimulator simulator = new BandwidthSimulator(new BandwidthSimulator.Settings("acct", "user", "secret",
                SimulatorProperties.wellBehaved(rate, rate)), Clock.systemUTC(), new SplittableRandom(run))) {
            int port = ChildRun.freePort();
            ServerClient server = new ServerClient(URI.create("http://127.0.0.1:" + port), "admin", PASSWORD);
            Process node = serve(dir, port, simulator, rate, 0, "throughput-" + run);
            try {
                server.awaitReady(Duration.ofMinutes(2));
                String name = "receipts-" + run;
                server.startCampaign(ChildRun.campaign(name, messages));
                List<String> ids = awaitAccepted(server, name, messages, Duration.ofMinutes(5));
                URI callbacks = URI.create("http://127.0.0.1:" + port + "/callbacks/bandwidth");
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                String auth = "Basic " + Base64.getEncoder().encodeToString(("bench:" + CALLBACK_PASSWORD).getBytes(StandardCharsets.UTF_8));
                long[] answeredIn = new long[ids.size()];
                AtomicInteger next = new AtomicInteger();
                ExecutorService pool = Executors.newFixedThreadPool(posters);
                long start = System.nanoTime();
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < posters; t++) {
                    done.add(pool.submit(() -> {
                        for (int i = next.getAndIncrement(); i < ids.size(); i = next.getAndIncrement()) {
                            long sent = System.nanoTime();
                            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(callbacks).header("Content-Type", "application/json")
                                    .header("Authorization", auth).POST(HttpRequest.BodyPublishers.ofString(delivered(ids.get(i)))).build(),
                                    HttpResponse.BodyHandlers.discarding());
                            if (r.statusCode() / 100 != 2) {
                                throw new IllegalStateException("a receipt was answered " + r.statusCode());
                            }
                            answeredIn[i] = System.nanoTime() - sent;
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
                pool.shutdown();
                awaitOutcome(server, name, "DELIVERED", messages, Duration.ofMinutes(5));
                double seconds = (System.nanoTime() - start) / 1e9;
                long[] sorted = answeredIn.clone();
                java.util.Arrays.sort(sorted);
                double perSecond = messages / seconds;
                progress.printf(Locale.ROOT, "receipts run %d: %d applied in %.2f s (%.0f/s)%n", run, messages, seconds, perSecond);
                return new double[] {perSecond, sorted[sorted.length / 2] / 1e6, sorted[sorted.length - 1] / 1e6};
            } finally {
                node.destroy();
                node.waitFor();
            }
        } finally {
            ChildRun.deleteTree(dir);
        }
    }

    /** A campaign meeting the provider's daily cap, without and then with a {@code daily-quota} of the cap. */
    String dailyCap(int runs, int messages, int cap, int rate, Duration delay) throws Exception {
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%d messages at %d segments/min; the provider takes %d a day, "
                + "then fails each message over the cap with 4780 in a receipt %s later.%n%n| run | daily-quota | sent | sent into the cap "
                + "| first cap receipt recorded, after the first send into the cap (s) | sent after it was recorded |%n|---|---|---|---|---|---|%n", messages, rate, cap, delay));
        for (int run = 1; run <= runs; run++) {
            for (int quota : new int[] {0, cap}) {
                table.append(dailyCapOnce(run, messages, cap, rate, delay, quota)).append('\n');
            }
        }
        return table.toString();
    }

    private String dailyCapOnce(int run, int messages, int cap, int rate, Duration delay, int quota) throws Exception {
        Path dir = Files.createTempDirectory("pacer-bench-cap");
        try (BandwidthSimulator simulator = new BandwidthSimulator(new BandwidthSimulator.Settings("acct", "user", "secret",
                SimulatorProperties.wellBehaved(rate, rate)), Clock.systemUTC(), new SplittableRandom(run))) {
            simulator.receipts(new SimulatorProperties.Receipts(true, delay, 0, 0, cap));
            int port = ChildRun.freePort();
            simulator.postReceipts(URI.create("http://127.0.0.1:" + port + "/callbacks/bandwidth"),
                    "Basic " + Base64.getEncoder().encodeToString(("bench:" + CALLBACK_PASSWORD).getBytes(StandardCharsets.UTF_8)));
            ServerClient server = new ServerClient(URI.create("http://127.0.0.1:" + port), "admin", PASSWORD);
            String runLog = "cap-" + run + "-" + quota;
            Process node = serve(dir, port, simulator, rate, quota, runLog);
            try {
                server.awaitReady(Duration.ofMinutes(2));
                server.startCampaign(ChildRun.campaign("cap-" + run, messages));
                // the account holds until midnight once the cap (or the quota) is met: wait until the
                // cap's receipts could all have come and nothing more is sent for a while
                Instant until = Instant.now().plus(Duration.ofMinutes(3));
                long seen = -1;
                Instant quietSince = Instant.now();
                while (Instant.now().isBefore(until)) {
                    long accepted = simulator.stats().accepted();
                    if (accepted != seen) {
                        seen = accepted;
                        quietSince = Instant.now();
                    } else if (accepted >= Math.min(cap, messages) && Duration.between(quietSince, Instant.now()).compareTo(delay.plusSeconds(5)) > 0) {
                        break;
                    }
                    Thread.sleep(100);
                }
                List<Instant> taken = simulator.acceptedTimes();
                long intoCap = Math.max(0, taken.size() - cap);
                long afterFirstCapReceipt = 0;
                String lag = "-";
                if (intoCap > 0) {
                    // when Pacer recorded the first cap receipt: the line it logs then
                    Instant firstCapReceipt = firstLogged(log(runLog), "daily cap is reached");
                    afterFirstCapReceipt = taken.stream().filter(t -> t.isAfter(firstCapReceipt)).count();
                    lag = String.format(Locale.ROOT, "%.1f", Duration.between(taken.get(cap), firstCapReceipt).toMillis() / 1000d);
                }
                progress.printf(Locale.ROOT, "cap run %d, daily-quota %d: %d sent, %d into the cap, %d after the first cap receipt%n", run,
                        quota, taken.size(), intoCap, afterFirstCapReceipt);
                return String.format(Locale.ROOT, "| %d | %s | %d | %d | %s | %s |", run, quota == 0 ? "none" : Integer.toString(quota),
                        taken.size(), intoCap, lag, intoCap == 0 ? "-" : Long.toString(afterFirstCapReceipt));
            } finally {
                node.destroy();
                node.waitFor();
            }
        } finally {
            ChildRun.deleteTree(dir);
        }
    }

    /** Waits until every message of the campaign is taken by the provider and waits for its receipt; returns the provider's ids. */
    private static List<String> awaitAccepted(ServerClient server, String name, int messages, Duration within) throws Exception {
        Instant until = Instant.now().plus(within);
        while (Instant.now().isBefore(until)) {
            String csv = new String(server.getBytes("/api/campaigns/" + name + "/messages.csv"), StandardCharsets.UTF_8);
            List<String> ids = new ArrayList<>();
            for (CSVRecord r : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(new StringReader(csv))) {
                if (!r.get("provider_message_id").isBlank()) {
                    ids.add(r.get("provider_message_id"));
                }
            }
            if (ids.size() == messages) {
                return ids;
            }
            if (Instant.now().isAfter(until.minus(within).plusSeconds(30)) && ids.isEmpty()) {
                throw new IllegalStateException("none of the messages of " + name + " was taken in 30 s");
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the messages of " + name + " were not all taken within " + within);
    }

    private static void awaitOutcome(ServerClient server, String name, String outcome, int messages, Duration within) throws Exception {
        Instant until = Instant.now().plus(within);
        while (server.report(name).path("outcomes").path(outcome).asLong() < messages) {
            if (Instant.now().isAfter(until)) {
                throw new IllegalStateException(name + " did not count " + messages + " " + outcome + " within " + within);
            }
            Thread.sleep(20);
        }
    }

    private static String delivered(String id) {
        return "[{\"type\":\"message-delivered\",\"time\":\"" + Instant.now() + "\",\"to\":\"+12025550100\",\"description\":\"ok\","
                + "\"message\":{\"id\":\"" + id + "\",\"direction\":\"out\",\"segmentCount\":1}}]";
    }

    private static Process serve(Path dir, int port, BandwidthSimulator simulator, int rate, int quota, String log) throws IOException {
        return ChildRun.start(List.of("-Xmx512m"), List.of("serve", "--server.port=" + port, "--pacer.data-dir=" + dir,
                "--pacer.providers.bandwidth.base-url=" + simulator.baseUrl(), "--pacer.providers.bandwidth.account-id=acct",
                "--pacer.providers.bandwidth.username=user", "--pacer.providers.bandwidth.password=secret",
                "--pacer.providers.bandwidth.segments-per-minute=" + rate, "--pacer.providers.bandwidth.daily-quota=" + quota,
                "--pacer.providers.bandwidth.callback-username=bench", "--pacer.providers.bandwidth.callback-password=" + CALLBACK_PASSWORD,
                "--pacer.receipts.enabled=true", "--pacer.public-url=http://127.0.0.1:" + port),
                log(log), Map.of("PACER_ADMIN_PASSWORD", PASSWORD));
    }


    private static Path log(String name) {
        return Path.of(System.getProperty("java.io.tmpdir"), "pacer-bench-receipts-" + name + ".log");
    }

    /** When the server first logged a line containing {@code text} (each line starts with its ISO time). */
    private static Instant firstLogged(Path log, String text) throws IOException {
        try (java.util.stream.Stream<String> lines = Files.lines(log)) {
            return lines.filter(l -> l.contains(text)).findFirst().map(l -> Instant.parse(l.substring(0, l.indexOf(' '))))
                    .orElseThrow(() -> new IllegalStateException("the server never logged '" + text + "' (" + log + ")"));
        }
    }
}
