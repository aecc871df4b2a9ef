package dev.pacer.provider.bandwidth;

import dev.pacer.provider.SimulatorServer.Reply;
import dev.pacer.provider.SimulatorServer.Request;
import dev.pacer.provider.RetryAfterMode;
import dev.pacer.provider.bandwidth.BandwidthSimulator.Settings;
import dev.pacer.retry.RetryAfter;
import dev.pacer.throttle.MutableClock;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The simulator's hostile behaviours, driven through its model on a hand-moved clock. */
class BandwidthSimulatorTest {

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final AtomicInteger TAGS = new AtomicInteger();
    private final MutableClock clock = new MutableClock(T0);

    private static Settings settings(RetryAfterMode mode, double factor, boolean statesRate, Duration skew, Duration lockout) {
        return new Settings("acct", "u", "p", 60, 2, mode, factor, statesRate, skew, 0, Duration.ZERO, 0, Duration.ofSeconds(10), lockout, Duration.ZERO);
    }

    private BandwidthSimulator model(Settings s) throws IOException {
        return new BandwidthSimulator(s, clock, new SplittableRandom(1), false);
    }

    private static Reply send(BandwidthSimulator sim, String text) {
        return send(sim, text, "default");
    }

    private static Reply send(BandwidthSimulator sim, String text, String priority) {
        String body = "{\"applicationId\":\"app\",\"to\":[\"+12025550101\"],\"from\":\"+12025550100\",\"text\":\"" + text
                + "\",\"tag\":\"t" + TAGS.incrementAndGet() + "\",\"priority\":\"" + priority + "\"}";
        return sim.answer(new Request("POST", "/api/v2/users/acct/messages",
                "Basic " + Base64.getEncoder().encodeToString("u:p".getBytes(StandardCharsets.UTF_8)), "application/json",
                body.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldSendHighPriorityMessagesAheadOfTheQueue() throws IOException {
        BandwidthSimulator sim = model(Settings.of("acct", "u", "p", 60, 10));
        for (int i = 0; i < 6; i++) {
            assertThat(send(sim, "bulk " + i).status()).isEqualTo(202);
        }
        assertThat(send(sim, "code", "high").status()).isEqualTo(202);
        clock.advance(Duration.ofMillis(500));
        assertThat(send(sim, "code 2", "high").status()).isEqualTo(202);
        clock.advance(Duration.ofSeconds(3));
        assertThat(send(sim, "code 3", "high").status()).isEqualTo(202);
        BandwidthSimulator.Stats stats = sim.stats();
        assertThat(stats.highAccepted()).isEqualTo(3);
        assertThat(stats.highAheadMax()).as("only the first code, half sent, was ahead of the second").isEqualTo(0.5);
        assertThat(stats.defaultAheadMax()).isEqualTo(5);
    }

    @Test
    void shouldAnswer429WhenTheQueueIsFullAndStateItsRate() throws IOException {
        BandwidthSimulator sim = model(settings(RetryAfterMode.NONE, 1, true, Duration.ZERO, Duration.ZERO));
        assertThat(send(sim, "a").status()).isEqualTo(202);
        assertThat(send(sim, "b").status()).isEqualTo(202);
        Reply full = send(sim, "c");
        assertThat(full.status()).isEqualTo(429);
        assertThat(full.headers()).doesNotContainKey("Retry-After");
        assertThat(full.body()).contains("Your allowed rate is 60 messages per minute", "capacity of this queue is 2 messages");
        clock.advance(Duration.ofSeconds(1));
        assertThat(send(sim, "c").status()).as("one segment drained").isEqualTo(202);
        assertThat(sim.stats().insideToldWait()).isZero();
    }

    @Test
    void shouldCountARetryBeforeTheStatedRateMadeRoomAsInsideTheToldWait() throws IOException {
        BandwidthSimulator sim = model(settings(RetryAfterMode.NONE, 1, true, Duration.ZERO, Duration.ZERO));
        send(sim, "a");
        send(sim, "b");
        send(sim, "c");
        clock.advance(Duration.ofMillis(500));
        send(sim, "c");
        assertThat(sim.stats().insideToldWait()).isEqualTo(1);
    }

    @Test
    void shouldLeaveTheRateOutWhenSilent() throws IOException {
        BandwidthSimulator sim = model(settings(RetryAfterMode.NONE, 1, false, Duration.ZERO, Duration.ZERO));
        send(sim, "a");
        send(sim, "b");
        Reply full = send(sim, "c");
        assertThat(full.body()).doesNotContain("per minute");
        send(sim, "d");
        assertThat(sim.stats().insideToldWait()).as("nothing was told, so nothing can be broken").isZero();
    }

    @Test
    void shouldUnderstateAndOverstateRetryAfterAndCountRequestsInsideTheToldWait() throws IOException {
        BandwidthSimulator over = model(settings(RetryAfterMode.SECONDS, 3, true, Duration.ZERO, Duration.ZERO));
        send(over, "a");
        send(over, "b");
        assertThat(send(over, "c").headers()).containsEntry("Retry-After", "3");
        clock.advance(Duration.ofSeconds(2));
        assertThat(send(over, "c").status()).as("room again after 1 s").isEqualTo(202);
        assertThat(over.stats().insideToldWait()).as("but it was told 3 s").isEqualTo(1);

        clock.set(T0);
        BandwidthSimulator under = model(settings(RetryAfterMode.SECONDS, 0.5, true, Duration.ZERO, Duration.ZERO));
        send(under, "a");
        send(under, "b");
        // two segments over a full queue of 2 need 2 s; it says 1
        Reply full = send(under, "x".repeat(170));
        assertThat(full.headers()).containsEntry("Retry-After", "1");
        clock.advance(Duration.ofSeconds(1));
        assertThat(send(under, "x".repeat(170)).status()).as("the told wait was not enough").isEqualTo(429);
        assertThat(under.stats().insideToldWait()).isZero();
    }

    @Test
    void shouldStampItsSkewedClockOnDateAndRetryAfterAlike() throws IOException {
        BandwidthSimulator sim = model(settings(RetryAfterMode.HTTP_DATE, 1, true, Duration.ofSeconds(-30), Duration.ZERO));
        send(sim, "a");
        send(sim, "b");
        Reply full = send(sim, "c");
        String retryAfter = full.headers().get("Retry-After");
        String date = full.headers().get("Date");
        assertThat(RetryAfter.parse(retryAfter, null, clock.instant())).as("read against our clock: already past").contains(Duration.ZERO);
        assertThat(RetryAfter.parse(retryAfter, date, clock.instant())).as("read against its Date").contains(Duration.ofSeconds(1));
    }

    @Test
    void shouldLockTheAccountOutAfterARequestInsideTheToldWait() throws IOException {
        BandwidthSimulator sim = model(settings(RetryAfterMode.SECONDS, 1, true, Duration.ZERO, Duration.ofSeconds(60)));
        send(sim, "a");
        send(sim, "b");
        send(sim, "c");
        Reply early = send(sim, "c");
        assertThat(early.body()).as("on its way before the 429 arrived: refused, not punished").doesNotContain("account-locked");
        clock.advance(Duration.ofMillis(100));
        Reply punished = send(sim, "c");
        assertThat(punished.status()).isEqualTo(429);
        assertThat(punished.body()).contains("account-locked");
        assertThat(sim.stats().lockouts()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(30));
        assertThat(send(sim, "d").body()).contains("account-locked");
    }

    @Test
    void shouldLimitEachUserPerWindowAndReportItInHeaders() throws IOException {
        BandwidthSimulator sim = new BandwidthSimulator(new Settings("acct", "u", "p", 6000, 100, RetryAfterMode.SECONDS, 1, true,
                Duration.ZERO, 0, Duration.ZERO, 3, Duration.ofSeconds(10), Duration.ZERO, Duration.ZERO), clock, new SplittableRandom(1), false);
        clock.set(T0.plusSeconds(4));
        Reply first = send(sim, "a");
        assertThat(first.headers()).containsEntry("X-RateLimit-Limit", "3").containsEntry("X-RateLimit-Remaining", "2")
                .containsEntry("X-RateLimit-Reset", Long.toString(T0.plusSeconds(10).getEpochSecond()));
        send(sim, "b");
        send(sim, "c");
        Reply limited = send(sim, "d");
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.body()).contains("too-many-requests");
        assertThat(limited.headers()).containsEntry("X-RateLimit-Remaining", "0").containsEntry("Retry-After", "6");
        clock.set(T0.plusSeconds(10));
        assertThat(send(sim, "d").status()).isEqualTo(202);
    }

    @Test
    void shouldNotExtendALockoutForRequestsAfterTheWaitItTold() throws IOException {
        BandwidthSimulator sim = model(settings(RetryAfterMode.SECONDS, 0.5, true, Duration.ZERO, Duration.ofSeconds(60)));
        send(sim, "a");
        send(sim, "b");
        send(sim, "c");
        clock.advance(Duration.ofMillis(100));
        Reply locked = send(sim, "c");
        assertThat(locked.headers()).as("a lockout it understates too").containsEntry("Retry-After", "30");
        clock.advance(Duration.ofSeconds(31));
        assertThat(send(sim, "d").body()).contains("account-locked");
        assertThat(sim.stats().insideToldWait()).as("the second request came after the wait it told").isEqualTo(1);
        assertThat(sim.stats().lockouts()).isEqualTo(1);
    }

    @Test
    void shouldServeOverHttpWithItsOwnDateHeader() throws Exception {
        Settings s = new Settings("acct", "u", "p", 60, 10, RetryAfterMode.NONE, 1, true, Duration.ofSeconds(30), 0, Duration.ZERO,
                0, Duration.ofSeconds(1), Duration.ZERO, Duration.ZERO);
        try (BandwidthSimulator sim = new BandwidthSimulator(s, clock, new SplittableRandom(1))) {
            assertThat(sim.baseUrl().getHost()).isEqualTo("127.0.0.1");
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/api/v2/users/acct/messages"))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("u:p".getBytes(StandardCharsets.UTF_8)))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"applicationId\":\"a\",\"to\":[\"+12025550101\"],\"from\":\"+12025550100\",\"text\":\"hi\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(202);
            assertThat(r.headers().firstValue("Date")).contains("Tue, 01 Jan 2030 00:00:30 GMT");
        }
    }
}
