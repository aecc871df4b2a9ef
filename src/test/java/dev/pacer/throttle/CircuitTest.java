package dev.pacer.throttle;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

import static dev.pacer.throttle.ScopeLimit.Unit.SEGMENTS;
import static org.assertj.core.api.Assertions.assertThat;

/** A provider that is down holds its scope and is probed one send at a time, on a fake clock. */
class CircuitTest {

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final String SCOPE = "bandwidth:acct";
    private static final List<String> ONE = List.of(SCOPE);

    private final MutableClock clock = new MutableClock(T0);
    private Pacer pacer;

    @BeforeEach
    void setUp() {
        pacer = new Pacer(clock, new PacerSettings(Duration.ofSeconds(2), Duration.ZERO, Adaptation.off(), 0.1,
                new CircuitSettings(3, Duration.ofSeconds(2), Duration.ofSeconds(10))), new SplittableRandom(1));
        pacer.register(new ScopeLimit(SCOPE, SEGMENTS, 600, 10, 8));
    }

    @Test
    void shouldOpenAfterTheThresholdOfFailuresInARowAndNotBefore() {
        assertThat(pacer.failed(SCOPE)).isEmpty();
        assertThat(pacer.failed(SCOPE)).isEmpty();
        pacer.answered(SCOPE);
        assertThat(pacer.failed(SCOPE)).as("an answer in between starts the count again").isEmpty();
        assertThat(pacer.failed(SCOPE)).isEmpty();
        assertThat(pacer.failed(SCOPE)).contains(T0.plusSeconds(2));
        assertThat(pacer.view(SCOPE).down()).isTrue();
    }

    @Test
    void shouldHoldTheScopeUntilTheProbeAndLetOneSendProbeAtATime() {
        openCircuit();
        Grant slot = pacer.reserve(ONE, 1, Priority.BULK, -1);
        assertThat(slot.at()).as("no slot before the probe").isAfterOrEqualTo(T0.plusSeconds(2));
        assertThat(pacer.holdOff(ONE, slot.generation(), Priority.BULK, 1)).contains(Duration.ofSeconds(2));

        clock.set(T0.plusSeconds(2));
        Grant probe = pacer.reserve(ONE, 1, Priority.BULK, -1);
        Grant other = pacer.reserve(ONE, 1, Priority.BULK, -1);
        assertThat(pacer.holdOff(ONE, probe.generation(), Priority.BULK, 1)).as("the probe goes").isEmpty();
        assertThat(pacer.holdOff(ONE, other.generation(), Priority.BULK, 1)).as("the rest wait for its answer").isPresent();
    }

    @Test
    void shouldDoubleTheWaitAfterAFailedProbeUpToTheMost() {
        openCircuit();
        Instant at = T0.plusSeconds(2);
        for (long expected : new long[]{4, 8, 10, 10}) {
            clock.set(at);
            assertThat(pacer.holdOff(ONE, generation(), Priority.BULK, 1)).isEmpty();
            Optional<Instant> next = pacer.failed(SCOPE);
            assertThat(next).contains(at.plusSeconds(expected));
            at = next.orElseThrow();
        }
    }

    @Test
    void shouldCloseOnAnAnswerAndRestartAtThePaceWithoutABurst() {
        openCircuit();
        clock.set(T0.plusSeconds(2));
        assertThat(pacer.holdOff(ONE, generation(), Priority.BULK, 1)).isEmpty();
        pacer.answered(SCOPE);
        assertThat(pacer.view(SCOPE).down()).isFalse();
        Instant first = pacer.reserve(ONE, 1, Priority.BULK, -1).at();
        Instant second = pacer.reserve(ONE, 1, Priority.BULK, -1).at();
        assertThat(first).isEqualTo(T0.plusSeconds(2));
        assertThat(Duration.between(first, second)).as("one permit, then the pace (600/min), not the burst of 10")
                .isEqualTo(Duration.ofMillis(100));
    }

    private void openCircuit() {
        pacer.failed(SCOPE);
        pacer.failed(SCOPE);
        assertThat(pacer.failed(SCOPE)).isPresent();
    }

    private long generation() {
        return pacer.reserve(ONE, 1, Priority.REALTIME, -1).generation();
    }
}
