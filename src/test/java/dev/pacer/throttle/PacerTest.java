package dev.pacer.throttle;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PacerTest {

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final String SCOPE = "bandwidth:acct";

    private final MutableClock clock = new MutableClock(T0);
    private Pacer pacer;

    @BeforeEach
    void setUp() {
        pacer = pacer(Duration.ofSeconds(2), Duration.ZERO, new SplittableRandom(1));
        pacer.register(new ScopeLimit(SCOPE, 60, 1, 2));
    }

    private Pacer pacer(Duration horizon, Duration jitter, RandomGenerator random) {
        return new Pacer(clock, horizon, jitter, random);
    }

    private static Instant at(double seconds) {
        return T0.plusMillis(Math.round(seconds * 1000));
    }

    @Test
    void shouldSpaceSlotsAtTheScopeRateCountingSegments() {
        assertThat(pacer.reserve(SCOPE, 1, Priority.BULK, false).at()).isEqualTo(at(0));
        assertThat(pacer.reserve(SCOPE, 1, Priority.BULK, false).at()).isEqualTo(at(1));
        // two segments need two seconds' worth of tokens after the previous slot
        Grant two = pacer.reserve(SCOPE, 2, Priority.REALTIME, false);
        assertThat(two.at()).isEqualTo(at(3));
        assertThat(two.reserved()).isTrue();
    }

    @Test
    void shouldNeverGrantMoreThanBurstPlusRateInAnyWindow() {
        pacer.register(new ScopeLimit(SCOPE, 600, 5, 10));
        List<Instant> slots = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int segments = 1 + i % 3;
            Grant g = pacer.reserve(SCOPE, segments, Priority.REALTIME, false);
            slots.add(g.at());
            sizes.add(segments);
            clock.advance(Duration.ofMillis(37));
        }
        for (int i = 0; i < slots.size(); i++) {
            Instant windowEnd = slots.get(i).plusSeconds(10);
            int sum = 0;
            for (int j = 0; j < slots.size(); j++) {
                if (!slots.get(j).isBefore(slots.get(i)) && slots.get(j).isBefore(windowEnd)) {
                    sum += sizes.get(j);
                }
            }
            // 10 s at 600/min is 100 segments, plus the burst; a segment straddling the window edge may add 2 more
            assertThat(sum).as("segments in the 10 s after %s", slots.get(i)).isLessThanOrEqualTo(100 + 5 + 2);
        }
    }

    @Test
    void shouldLeaveSlotsBeyondTheHorizonFreeForRealtime() {
        for (int i = 0; i < 3; i++) {
            assertThat(pacer.reserve(SCOPE, 1, Priority.BULK, false).reserved()).isTrue();
        }
        Grant bulk = pacer.reserve(SCOPE, 1, Priority.BULK, false);
        assertThat(bulk.reserved()).as("slot at 3 s lies beyond the 2 s horizon").isFalse();
        Grant realtime = pacer.reserve(SCOPE, 1, Priority.REALTIME, false);
        assertThat(realtime.reserved()).isTrue();
        assertThat(realtime.at()).isEqualTo(at(3));
        assertThat(bulk.at()).as("the bulk message asks again before its turn could come").isBefore(at(3));
    }

    @Test
    void shouldStaggerTheRechecksOfWaitingBulkMessages() {
        for (int i = 0; i < 3; i++) {
            pacer.reserve(SCOPE, 1, Priority.BULK, false);
        }
        Grant first = pacer.reserve(SCOPE, 1, Priority.BULK, false);
        Grant second = pacer.reserve(SCOPE, 2, Priority.BULK, false);
        Grant third = pacer.reserve(SCOPE, 1, Priority.BULK, false);
        assertThat(List.of(first, second, third)).noneMatch(Grant::reserved);
        // their turns would come at 3, 5 (two segments) and 6 s: each asks again a horizon before its turn
        assertThat(List.of(first.at(), second.at(), third.at())).containsExactly(at(1), at(3), at(4));
        assertThat(pacer.view(SCOPE).waitingBulkSegments()).isEqualTo(4);

        clock.set(first.at());
        Grant again = pacer.reserve(SCOPE, 1, Priority.BULK, true);
        assertThat(again.reserved()).isTrue();
        assertThat(again.at()).isEqualTo(at(3));
        assertThat(pacer.view(SCOPE).waitingBulkSegments()).isEqualTo(3);
    }

    @Test
    void shouldPauseTheWholeScopeAndVoidSlotsGrantedBefore() {
        Grant before = pacer.reserve(SCOPE, 1, Priority.BULK, false);
        Grant later = pacer.reserve(SCOPE, 1, Priority.BULK, false);
        Instant until = pacer.pause(SCOPE, Duration.ofSeconds(10));
        assertThat(until).isEqualTo(at(10));

        assertThat(pacer.holdOff(SCOPE, later.generation())).contains(Duration.ofSeconds(10));
        clock.set(at(10));
        assertThat(pacer.holdOff(SCOPE, before.generation())).as("slot from before the pause must be taken again").contains(Duration.ZERO);

        Grant after = pacer.reserve(SCOPE, 1, Priority.REALTIME, false);
        Grant next = pacer.reserve(SCOPE, 1, Priority.REALTIME, false);
        assertThat(after.at()).isAfterOrEqualTo(until);
        assertThat(Duration.between(after.at(), next.at())).as("no herd after the pause").isEqualTo(Duration.ofSeconds(1));
        assertThat(pacer.holdOff(SCOPE, after.generation())).isEmpty();
    }

    @Test
    void shouldGrantNoSlotInsideAPauseEvenToRealtime() {
        pacer.pause(SCOPE, Duration.ofSeconds(30));
        clock.advance(Duration.ofSeconds(5));
        Grant g = pacer.reserve(SCOPE, 1, Priority.REALTIME, false);
        assertThat(g.at()).isAfterOrEqualTo(at(30));
    }

    @Test
    void shouldAddASmallPositiveJitterToEveryPause() {
        Pacer jittered = pacer(Duration.ofSeconds(2), Duration.ofMillis(500), new SplittableRandom(42));
        jittered.register(new ScopeLimit(SCOPE, 60, 1, 2));
        Instant until = jittered.pause(SCOPE, Duration.ofSeconds(3));
        assertThat(until).isBetween(at(3), at(3.5));
    }

    @Test
    void shouldKeepTheLongerOfTwoPauses() {
        pacer.pause(SCOPE, Duration.ofSeconds(20));
        assertThat(pacer.pause(SCOPE, Duration.ofSeconds(5))).isEqualTo(at(20));
    }

    @Test
    void shouldGiveAReleasedSlotBack() {
        pacer.reserve(SCOPE, 1, Priority.BULK, false);
        Grant released = pacer.reserve(SCOPE, 1, Priority.BULK, false);
        pacer.release(SCOPE, released, 1);
        assertThat(pacer.reserve(SCOPE, 1, Priority.BULK, false).at()).isEqualTo(at(1));
    }

    @Test
    void shouldCapRequestsInFlight() throws InterruptedException {
        assertThat(pacer.enter(SCOPE, Duration.ZERO)).isTrue();
        assertThat(pacer.enter(SCOPE, Duration.ZERO)).isTrue();
        assertThat(pacer.enter(SCOPE, Duration.ZERO)).isFalse();
        assertThat(pacer.view(SCOPE).inFlight()).isEqualTo(2);
        pacer.exit(SCOPE);
        assertThat(pacer.enter(SCOPE, Duration.ZERO)).isTrue();
    }

    @Test
    void shouldRefuseAnUnknownScopeByName() {
        assertThatThrownBy(() -> pacer.reserve("twilio:x", 1, Priority.BULK, false))
                .hasMessageContaining("twilio:x");
    }
}
