package dev.pacer.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pacer.cli.ServerClient;
import dev.pacer.provider.SimulatorProperties;
import dev.pacer.provider.bandwidth.BandwidthSimulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two {@code pacer serve} nodes (the packaged jar, each its own JVM and job executor) on a real
 * PostgreSQL, sending two campaigns at once through one Bandwidth account to a simulator in this
 * JVM whose queue answers 429 when it is sent to faster than its rate: together the nodes keep to
 * the account's limit, and when one is killed (SIGKILL) mid-campaign the other takes its messages
 * over, sending none twice and losing none. Runs where {@code PACER_TEST_POSTGRES_URL} names an
 * empty database (user and password {@code pacer}): {@code .ci/run} starts one ({@code .ci/postgres}).
 */
@EnabledIfEnvironmentVariable(named = "PACER_TEST_POSTGRES_URL", matches = ".+")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

    private static final String URL = System.getenv("PACER_TEST_POSTGRES_URL");
    private static final String ADMIN = "admin";
    private static final String PASSWORD = "cluster-it-secret";
    private static final int PER_MINUTE = 1200;
    private static final int QUEUE = 20;
    private static final int BURST = QUEUE / 2;
    /** Sends a late timer moves into the next second (timers fire some tens of milliseconds late). */
    private static final int JITTER = 3;
    /** The take-over bound: the job lock (20 s) and a node's silence (10 s) overlap; the slack is for a slow machine. */
    private static final Duration TAKE_OVER = Duration.ofSeconds(30);

    private static BandwidthSimulator simulator;
    private static ServerClient a;
    private static ServerClient b;
    private static final List<Process> nodes = new ArrayList<>();
    private static int portA;
    private static int portB;
    private static Process nodeB;

    @BeforeAll
    static void startCluster() throws Exception {
        JdbcTemplate db = db();
        // a database of this test's own: nothing left from an earlier run
        db.execute("drop schema public cascade");
        db.execute("create schema public");
        simulator = new BandwidthSimulator(new BandwidthSimulator.Settings("acct", "user", "secret",
                SimulatorProperties.wellBehaved(PER_MINUTE, QUEUE)), Clock.systemUTC(), new SplittableRandom(7));
        portA = freePort();
        portB = freePort();
        // one at a time: the first creates the schema and deploys the models
        a = client(portA);
        b = client(portB);
        start("a", portA);
        a.awaitReady(Duration.ofMinutes(2));
    }

    @AfterAll
    static void stopCluster() {
        nodes.forEach(Process::destroy);
        if (simulator != null) {
            simulator.close();
        }
    }

    @Test
    @Order(1)
    void shouldSendNoFasterTogetherThanOneNodeWouldAndAsFast() throws Exception {
        // warm: a node's first campaign pays for loading its classes and compiling its code
        a.awaitEnded(a.startCampaign(campaign("warm-a", "+1202400", 10)), Duration.ofSeconds(90));
        Run alone = twoCampaigns(a, a, "alone", "+1202310", "+1202311");

        nodeB = start("b", portB);
        b.awaitReady(Duration.ofMinutes(2));
        awaitNodes(db(), 2);
        b.awaitEnded(b.startCampaign(campaign("warm-b", "+1202401", 10)), Duration.ofSeconds(90));
        Run both = twoCampaigns(a, b, "both", "+1202300", "+1202301");

        double minimum = 200 * 60d / PER_MINUTE;
        System.out.printf("cluster: 2 x 100 messages at %d a minute (minimum %.1f s): one node %.1f s, most sends in one second %d; "
                        + "two nodes %.1f s (%.2f of one node's), most sends in one second %d (limit %d plus burst %d); 429s %d%n",
                PER_MINUTE, minimum, alone.makespan(), alone.peak().sends(), both.makespan(), both.makespan() / alone.makespan(),
                both.peak().sends(), PER_MINUTE / 60, BURST, simulator.stats().rateLimited());
        assertThat(both.peak().sends()).as("sends in any one second, both nodes together").isLessThanOrEqualTo(PER_MINUTE / 60 + BURST + JITTER);
        assertThat(simulator.stats().rateLimited()).as("429s from the provider's queue (it holds %d)", QUEUE).isZero();
        assertThat(both.makespan()).as("as fast as one node: the limit is shared, not split").isLessThanOrEqualTo(alone.makespan() * 1.1 + 1);
        assertThat(simulator.stats().duplicates()).isZero();
    }

    /** Two campaigns of 100 at once, one started on each port: their makespan and their busiest second. */
    private record Run(double makespan, Peak peak) {
    }

    private Run twoCampaigns(ServerClient node1, ServerClient node2, String name, String numbers1, String numbers2) throws Exception {
        int before = simulator.acceptedTimes().size();
        Instant started = Instant.now();
        String first = node1.startCampaign(campaign(name + "-first", numbers1, 100));
        String second = node2.startCampaign(campaign(name + "-second", numbers2, 100));
        node1.awaitEnded(first, Duration.ofSeconds(90));
        node1.awaitEnded(second, Duration.ofSeconds(90));
        List<Instant> times = simulator.acceptedTimes().subList(before, simulator.acceptedTimes().size());
        assertThat(times).hasSize(200);
        Instant last = times.stream().max(Instant::compareTo).orElseThrow();
        return new Run(secondsSince(started, last), peak(times));
    }

    @Test
    @Order(2)
    void shouldTakeOverTheMessagesOfANodeThatDiesSendingNoneTwice() throws Exception {
        int before = simulator.acceptedTimes().size();
        long rateLimitedBefore = simulator.stats().rateLimited();
        // two campaigns at once, one started on each node; then node b dies mid-campaign
        String first = a.startCampaign(campaign("cluster-first", "+1202200", 150));
        String second = b.startCampaign(campaign("cluster-second", "+1202201", 150));
        Instant started = Instant.now();
        Thread.sleep(5_000);
        Instant killedAt = Instant.now();
        nodeB.destroyForcibly().waitFor();

        a.awaitEnded(first, Duration.ofSeconds(150));
        a.awaitEnded(second, Duration.ofSeconds(150));
        Instant ended = Instant.now();

        BandwidthSimulator.Stats stats = simulator.stats();
        assertThat(stats.duplicates()).as("no message sent twice").isZero();
        assertThat(stats.insideToldWait()).as("no request inside a wait the provider told").isZero();
        JsonNode first1 = a.report("cluster-first");
        JsonNode second1 = a.report("cluster-second");
        long accepted = first1.path("outcomes").path("ACCEPTED").asLong() + second1.path("outcomes").path("ACCEPTED").asLong();
        long inDoubt = first1.path("outcomes").path("IN_DOUBT").asLong() + second1.path("outcomes").path("IN_DOUBT").asLong();
        assertThat(accepted + inDoubt).as("every message has its outcome: none lost").isEqualTo(300);
        List<Instant> times = simulator.acceptedTimes().subList(before, simulator.acceptedTimes().size());
        assertThat(times).as("what the provider took is what the reports say was accepted").hasSize((int) accepted);

        Peak peak = peak(times);
        assertThat(peak.sends()).as("sends in any one second").isLessThanOrEqualTo(PER_MINUTE / 60 + BURST + JITTER);
        assertThat(stats.rateLimited() - rateLimitedBefore).as("429s from the provider's queue").isLessThanOrEqualTo(2);
        Duration makespan = Duration.between(started, ended);
        Duration minimum = Duration.ofMillis(300L * 60_000 / PER_MINUTE);
        Duration silence = longestGapAfter(times, killedAt);
        System.out.printf("cluster, node b killed at +5 s: makespan %.1f s (minimum %.1f s), most sends in one second %d at +%.1f s, "
                        + "longest silence after the kill %.1f s, in doubt: %s / %s%n", makespan.toMillis() / 1000d, minimum.toMillis() / 1000d,
                peak.sends(), Duration.between(started, peak.at()).toMillis() / 1000d, silence.toMillis() / 1000d, first1.path("inDoubt"), second1.path("inDoubt"));
        StringBuilder perSecond = new StringBuilder();
        for (int sec = 0; sec < 30; sec++) {
            Instant from = started.plusSeconds(sec);
            perSecond.append(times.stream().filter(t -> !t.isBefore(from) && t.isBefore(from.plusSeconds(1))).count()).append(' ');
        }
        System.out.println("cluster, sends in each second from the start: " + perSecond);
        assertThat(silence).as("the survivor goes on sending").isLessThanOrEqualTo(TAKE_OVER);
        assertThat(makespan).as("the minimum plus the take-over bound").isLessThanOrEqualTo(minimum.plus(TAKE_OVER).plusSeconds(10));
    }

    private static double secondsSince(Instant from, Instant to) {
        return Duration.between(from, to).toMillis() / 1000d;
    }

    /** The most sends in a one-second window, and where it starts. */
    private record Peak(int sends, Instant at) {
    }

    private static Peak peak(List<Instant> times) {
        List<Instant> sorted = times.stream().sorted().toList();
        int most = 0;
        Instant at = sorted.isEmpty() ? Instant.EPOCH : sorted.get(0);
        int from = 0;
        for (int to = 0; to < sorted.size(); to++) {
            while (Duration.between(sorted.get(from), sorted.get(to)).toMillis() >= 1000) {
                from++;
            }
            if (to - from + 1 > most) {
                most = to - from + 1;
                at = sorted.get(from);
            }
        }
        return new Peak(most, at);
    }

    private static Duration longestGapAfter(List<Instant> times, Instant since) {
        List<Instant> sorted = times.stream().filter(t -> t.isAfter(since)).sorted().toList();
        Duration longest = sorted.isEmpty() ? Duration.ZERO : Duration.between(since, sorted.get(0));
        for (int i = 1; i < sorted.size(); i++) {
            Duration gap = Duration.between(sorted.get(i - 1), sorted.get(i));
            if (gap.compareTo(longest) > 0) {
                longest = gap;
            }
        }
        return longest;
    }

    private static Process start(String name, int port) throws IOException {
        Path logs = Path.of("target", "cluster-it");
        Files.createDirectories(logs);
        ProcessBuilder pb = new ProcessBuilder("java", "-Xmx512m", "-XX:TieredStopAtLevel=1", "-jar", "target/pacer.jar", "serve",
                "--server.port=" + port,
                "--spring.datasource.url=" + URL, "--spring.datasource.username=pacer", "--spring.datasource.password=pacer",
                "--pacer.providers.bandwidth.base-url=" + simulator.baseUrl(),
                "--pacer.providers.bandwidth.account-id=acct", "--pacer.providers.bandwidth.username=user",
                "--pacer.providers.bandwidth.password=secret", "--pacer.providers.bandwidth.segments-per-minute=" + PER_MINUTE,
                "--pacer.providers.bandwidth.burst=" + BURST, "--pacer.doubt.settle-after=PT2S");
        pb.environment().put("PACER_ADMIN_USER", ADMIN);
        pb.environment().put("PACER_ADMIN_PASSWORD", PASSWORD);
        pb.redirectErrorStream(true).redirectOutput(logs.resolve(name + ".log").toFile());
        Process p = pb.start();
        nodes.add(p);
        return p;
    }

    private static void awaitNodes(JdbcTemplate db, int n) throws InterruptedException {
        Instant until = Instant.now().plusSeconds(30);
        while (Instant.now().isBefore(until)) {
            Integer alive = db.queryForObject("select count(*) from " + ClusterNode.NODES, Integer.class);
            if (alive != null && alive >= n) {
                Thread.sleep(1_500); // a heartbeat for both to take their share
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(n + " nodes did not join within 30 s");
    }

    /** A campaign of {@code recipients} messages to the numbers {@code numbers0000}, {@code numbers0001}... */
    private static String campaign(String name, String numbers, int recipients) {
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < recipients; i++) {
            list.append(i == 0 ? "" : ",").append("{\"to\":\"").append(numbers).append(String.format("%04d", i)).append("\"}");
        }
        return "{\"name\":\"" + name + "\",\"provider\":\"bandwidth\",\"from\":\"+12025550100\",\"text\":\"Hi\",\"recipients\":[" + list + "]}";
    }

    private static ServerClient client(int port) {
        return new ServerClient(URI.create("http://127.0.0.1:" + port), ADMIN, PASSWORD);
    }

    private static JdbcTemplate db() {
        return new JdbcTemplate(new DriverManagerDataSource(URL, "pacer", "pacer"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
