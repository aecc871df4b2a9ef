package dev.pacer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pacer.cli.ServerClient;
import dev.pacer.provider.SimulatorProperties;
import dev.pacer.provider.bandwidth.BandwidthSimulator;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A node killed mid-campaign and started again: {@code pacer serve} on an H2 file sends a campaign
 * to a Bandwidth simulator in this JVM (which outlives the node, as a provider would, and counts a
 * message accepted twice), is killed with SIGKILL once a third of the messages went out, and is
 * started again on the same database. Counts per run: messages lost, sent twice, in doubt and how
 * each was settled, and the time from the restart to the campaign's end.
 */
final class CrashBenchmark {

    private static final String PASSWORD = "bench-crash";

    private final PrintStream progress;

    CrashBenchmark(PrintStream progress) {
        this.progress = progress;
    }

    String run(int runs, int messages, int rate) throws Exception {
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%d messages at %d segments/min, the node killed (SIGKILL) once a third "
                + "went out, then started again on its H2 file.%n%n| run | accepted | ended IN_DOUBT | in doubt, settled | sent twice | lost "
                + "| restart to the campaign's end (s) |%n|---|---|---|---|---|---|---|%n", messages, rate));
        for (int run = 1; run <= runs; run++) {
            table.append(once(run, messages, rate)).append('\n');
        }
        return table.toString();
    }

    private String once(int run, int messages, int rate) throws Exception {
        Path dir = Files.createTempDirectory("pacer-bench-crash");
        try (BandwidthSimulator simulator = new BandwidthSimulator(new BandwidthSimulator.Settings("acct", "user", "secret",
                SimulatorProperties.wellBehaved(rate, rate)), Clock.systemUTC(), new SplittableRandom(run))) {
            int port = ChildRun.freePort();
            ServerClient server = new ServerClient(URI.create("http://127.0.0.1:" + port), "admin", PASSWORD);
            Process node = serve(dir, port, simulator, "first");
            server.awaitReady(Duration.ofMinutes(2));
            String name = "crash-" + run;
            String id = server.startCampaign(ChildRun.campaign(name, messages));
            Instant until = Instant.now().plusSeconds(120);
            while (simulator.stats().accepted() < messages / 3 && Instant.now().isBefore(until)) {
                Thread.sleep(20);
            }
            node.destroyForcibly().waitFor();
            long atKill = simulator.stats().accepted();
            Process again = serve(dir, port, simulator, "again");
            try {
                server.awaitReady(Duration.ofMinutes(2));
                Instant restarted = Instant.now();
                server.awaitEnded(id, Duration.ofMinutes(5));
                double toEnd = Duration.between(restarted, Instant.now()).toMillis() / 1000d;
                JsonNode report = server.report(name);
                long ended = 0;
                for (Iterator<JsonNode> it = report.path("outcomes").elements(); it.hasNext(); ) {
                    ended += it.next().asLong();
                }
                BandwidthSimulator.Stats stats = simulator.stats();
                progress.printf(Locale.ROOT, "crash run %d: killed at %d accepted; %d accepted, %d sent twice, in doubt %s%n", run, atKill,
                        stats.accepted(), stats.duplicates(), report.path("inDoubt"));
                return String.format(Locale.ROOT, "| %d | %d | %d | %s | %d | %d | %.1f |", run, report.path("outcomes").path("ACCEPTED").asLong(),
                        report.path("outcomes").path("IN_DOUBT").asLong(), settled(report.path("inDoubt")), stats.duplicates(),
                        messages - ended, toEnd);
            } finally {
                again.destroy();
                again.waitFor();
            }
        } finally {
            ChildRun.deleteTree(dir);
        }
    }

    private static String settled(JsonNode inDoubt) {
        List<String> parts = new ArrayList<>();
        inDoubt.fields().forEachRemaining(e -> parts.add(e.getValue().asLong() + " " + e.getKey()));
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }

    private static Process serve(Path dir, int port, BandwidthSimulator simulator, String log) throws IOException {
        return ChildRun.start(List.of("-Xmx512m"), List.of("serve", "--server.port=" + port, "--pacer.data-dir=" + dir,
                "--pacer.providers.bandwidth.base-url=" + simulator.baseUrl(), "--pacer.providers.bandwidth.account-id=acct",
                "--pacer.providers.bandwidth.username=user", "--pacer.providers.bandwidth.password=secret",
                "--pacer.providers.bandwidth.segments-per-minute=" + simulator.settings().segmentsPerMinute(),
                "--pacer.doubt.settle-after=PT2S"), dir.resolve(log + ".log"), Map.of("PACER_ADMIN_PASSWORD", PASSWORD));
    }

}
