package dev.pacer.cluster;

import dev.pacer.throttle.Adaptation;
import dev.pacer.throttle.MutableClock;
import dev.pacer.throttle.Pacer;
import dev.pacer.throttle.PacerSettings;
import dev.pacer.throttle.ScopeLimit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionOperations;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two nodes on one database, driven by hand on a test clock: they split every scope's budget while
 * both beat, the survivor takes it all back once the other falls silent, and a 429 one gets holds
 * the other's scope too.
 */
class ClusterNodeTest {

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final String SCOPE = "bandwidth:acct";
    private static final ClusterNode.Settings SETTINGS = new ClusterNode.Settings(Duration.ofSeconds(1), Duration.ofSeconds(10),
            Duration.ofMillis(50));

    private final MutableClock clock = new MutableClock(T0);
    private final JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource("jdbc:h2:mem:cluster;DB_CLOSE_DELAY=-1"));
    private Pacer pacerA;
    private Pacer pacerB;
    private ClusterNode a;
    private ClusterNode b;

    @BeforeEach
    void setUp() {
        pacerA = pacer(1);
        pacerB = pacer(2);
        a = new ClusterNode(jdbc, TransactionOperations.withoutTransaction(), pacerA, clock, "a", SETTINGS);
        b = new ClusterNode(jdbc, TransactionOperations.withoutTransaction(), pacerB, clock, "b", SETTINGS);
    }

    @AfterEach
    void tearDown() {
        jdbc.execute("drop table " + ClusterNode.NODES);
        jdbc.execute("drop table " + ClusterNode.EVENTS);
        jdbc.execute("drop table " + ClusterNode.TIMELINE);
    }

    private Pacer pacer(int seed) {
        Pacer p = new Pacer(clock, new PacerSettings(Duration.ofSeconds(2), Duration.ZERO, Adaptation.off()), new SplittableRandom(seed));
        p.register(new ScopeLimit(SCOPE, ScopeLimit.Unit.SEGMENTS, 600, 10, 8));
        return p;
    }

    @Test
    void shouldSplitTheBudgetBetweenTheNodesAliveAndTakeItBackWhenOneFallsSilent() {
        a.beat();
        assertThat(a.nodes()).isEqualTo(2);
        assertThat(pacerA.share()).isEqualTo(0.5);
        assertThat(pacerB.share()).isEqualTo(0.5);

        for (int i = 0; i < 11; i++) {
            clock.advance(Duration.ofSeconds(1));
            a.beat();
        }
        assertThat(a.nodes()).as("b has not beaten for 11 s").isEqualTo(1);
        assertThat(pacerA.share()).isEqualTo(1);
    }

    @Test
    void shouldGrantTheNodesSlotsFromOneTimelineSoThatTogetherTheyKeepTheRate() {
        a.beat();
        java.util.List<String> scopes = java.util.List.of(SCOPE);
        java.util.List<Instant> slots = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Pacer p = i % 2 == 0 ? pacerA : pacerB;
            slots.add(p.reserve(scopes, 1, dev.pacer.throttle.Priority.REALTIME, -1).at());
        }
        slots.sort(null);
        // 600 a minute is one every 100 ms: 40 slots from two nodes take 4 s less a burst, however they interleave
        assertThat(java.time.Duration.between(slots.get(0), slots.get(39))).isGreaterThanOrEqualTo(Duration.ofMillis(3900 - 10 * 100));
        for (int i = 0; i + 15 < slots.size(); i++) {
            assertThat(Duration.between(slots.get(i), slots.get(i + 15))).as("15 slots span at least 1 s less the burst")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(1500 - 10 * 100));
        }

        // one node alone with messages takes the whole rate: no window is held for the idle one
        java.util.List<Instant> alone = new java.util.ArrayList<>();
        clock.advance(Duration.ofSeconds(10));
        for (int i = 0; i < 30; i++) {
            alone.add(pacerA.reserve(scopes, 1, dev.pacer.throttle.Priority.REALTIME, -1).at());
        }
        assertThat(Duration.between(alone.get(0), alone.get(29))).isLessThanOrEqualTo(Duration.ofMillis(2900));
    }

    @Test
    void shouldGiveTheShareBackAtOnceWhenANodeLeaves() {
        a.beat();
        b.close();
        a.beat();
        assertThat(a.nodes()).isEqualTo(1);
        assertThat(pacerA.share()).isEqualTo(1);
    }

    @Test
    void shouldHoldTheOtherNodesScopeAfterA429() {
        Instant until = pacerA.rateLimited(SCOPE, T0, Duration.ofSeconds(6), OptionalDouble.of(120), OptionalLong.empty(), false);
        assertThat(pacerB.view(SCOPE).pausedUntil()).isNull();
        b.poll();
        assertThat(pacerB.view(SCOPE).pausedUntil()).isEqualTo(until);
        assertThat(pacerB.view(SCOPE).ceiling()).as("the rate Bandwidth stated").isEqualTo(120);
        a.poll();
        assertThat(pacerA.view(SCOPE).pauses()).as("a node does not apply its own 429 twice").isEqualTo(1);
    }

    @Test
    void shouldFreeAPlaceInTheQueueOfTheNodeThatQueuedAMessageThatLeftFromAnother() {
        java.util.List<String> scopes = java.util.List.of(SCOPE);
        dev.pacer.throttle.Grant queued = null;
        for (int i = 0; i < 40 && (queued == null || queued.reserved()); i++) {
            queued = pacerA.reserve(scopes, 1, dev.pacer.throttle.Priority.BULK, -1);
        }
        assertThat(queued.reserved()).as("beyond a's horizon: a place in its queue").isFalse();
        long waiting = pacerA.view(SCOPE).waitingBulk();

        // its timer fired on b: b cannot free a's place itself
        pacerB.release(scopes, queued, 1);
        assertThat(pacerA.view(SCOPE).waitingBulk()).isEqualTo(waiting);
        a.poll();
        assertThat(pacerA.view(SCOPE).waitingBulk()).isEqualTo(waiting - 1);
        b.poll();
        assertThat(pacerB.view(SCOPE).waitingBulk()).as("b's own queue is untouched").isZero();
    }
}
