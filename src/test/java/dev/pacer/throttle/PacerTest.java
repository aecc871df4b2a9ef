package dev.pacer.throttle;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import static dev.pacer.throttle.ScopeLimit.Unit.REQUESTS;
import static dev.pacer.throttle.ScopeLimit.Unit.SEGMENTS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PacerTest {

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final String SCOPE = "bandwidth:acct";
    private static final List<String> ONE = List.of(SCOPE);

    private static final Adaptation ADAPTATION = new Adaptation(0.5, 0.1, Duration.ofSeconds(10), 0.1);

    private final MutableClock clock = new MutableClock(T0);
    private Pacer pacer;

    @BeforeEach
    void setUp() {
        pacer = pacer(Duration.ofSeconds(2), Duration.ZERO, new SplittableRandom(1));
        pacer.register(new ScopeLimit(SCOPE, SEGMENTS, 60, 1, 2));
    }

    private Pacer pacer(Duration horizon, Duration jitter, RandomGenerator random) {
        return new Pacer(clock, new PacerSettings(horizon, jitter, ADAPTATION), random);
    }

    private static Instant at(double seconds) {
        return T0.plusMillis(Math.round(seconds * 1000));
    }

    @Test
    void shouldSpaceSlotsAtTheScopeRateCountingSegments() {
        assertThat(pacer.reserve(ONE, 1, Priority.REALTIME, -1).at()).isEqualTo(at(0));
        assertThat(pacer.reserve(ONE, 1, Priority.REALTIME, -1).at()).isEqualTo(at(1));
        // two segments need two seconds' worth of tokens after the previous slot
        Grant two = pacer.reserve(ONE, 2, Priority.REALTIME, -1);
        assertThat(two.at()).isEqualTo(at(3));
        assertThat(two.reserved()).isTrue();
    }

    @Test
    void shouldNeverGrantMoreThanBurstPlusRateInAnyWindow() {
        pacer.register(new ScopeLimit(SCOPE, SEGMENTS, 600, 5, 10));
        List<Instant> slots = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int segments = 1 + i % 3;
            Grant g = pacer.reserve(ONE, segments, Priority.REALTIME, -1);
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
            assertThat(pacer.reserve(ONE, 1, Priority.BULK, -1).reserved()).isTrue();
        }
        Grant bulk = pacer.reserve(ONE, 1, Priority.BULK, -1);
        assertThat(bulk.reserved()).as("slot at 3 s lies beyond the 2 s horizon").isFalse();
        assertThat(bulk.at()).as("the bulk message asks again before its turn could come").isBefore(at(3));
    }

    @Test
    void shouldLetARealtimeMessageOvertakeBookedBulkWithinOneSlot() {
        List<Grant> bulk = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            bulk.add(pacer.reserve(ONE, 1, Priority.BULK, -1));
        }
        clock.advance(Duration.ofMillis(100));
        Grant realtime = pacer.reserve(ONE, 1, Priority.REALTIME, -1);
        assertThat(realtime.reserved()).isTrue();
        assertThat(realtime.at()).as("the next bulk slot, not after the bulk slots at 1 and 2 s").isEqualTo(at(1));
        Grant second = pacer.reserve(ONE, 1, Priority.REALTIME, -1);
        assertThat(second.at()).as("behind the first real-time send, in the bulk slot after").isEqualTo(at(2));

        // the scope owes the two slots back: the next two bulk sends to check in step back, the third goes
        clock.set(at(1));
        assertThat(pacer.holdOff(ONE, bulk.get(1).generation(), Priority.BULK, 1)).contains(Duration.ZERO);
        assertThat(pacer.holdOff(ONE, realtime.generation(), Priority.REALTIME, 1)).as("real time never steps back").isEmpty();
        clock.set(at(2));
        assertThat(pacer.holdOff(ONE, bulk.get(2).generation(), Priority.BULK, 1)).contains(Duration.ZERO);
        Grant again = pacer.reserve(ONE, 1, Priority.BULK, Pacer.FRONT);
        assertThat(again.reserved()).as("a bulk send that stepped back keeps the front of the queue").isTrue();
        assertThat(again.at()).as("the slot after those booked: the real-time sends took the two it gave up").isEqualTo(at(3));
        assertThat(pacer.holdOff(ONE, again.generation(), Priority.BULK, 1)).as("the debt is paid").isEmpty();
    }

    @Test
    void shouldKeepBulksMinimumShareUnderARealtimeFlood() {
        pacer.register(new ScopeLimit(SCOPE, SEGMENTS, 600, 1, 10));
        record Waiting(Priority priority, Grant grant) {
        }
        List<Waiting> waiting = new ArrayList<>();
        int[] sent = new int[2];
        int bulkWaiting = 0;
        // 60 s of real-time messages at twice the scope's rate, with 40 bulk messages always waiting
        for (int step = 0; step < 1200; step++) {
            waiting.add(new Waiting(Priority.REALTIME, pacer.reserve(ONE, 1, Priority.REALTIME, -1)));
            for (; bulkWaiting < 40; bulkWaiting++) {
                waiting.add(new Waiting(Priority.BULK, pacer.reserve(ONE, 1, Priority.BULK, -1)));
            }
            Instant now = clock.instant();
            List<Waiting> next = new ArrayList<>();
            for (Waiting w : waiting) {
                Grant g = w.grant();
                if (g.at().isAfter(now)) {
                    next.add(w);
                } else if (!g.reserved()) {
                    next.add(new Waiting(w.priority(), pacer.reserve(ONE, 1, w.priority(), g.ticket())));
                } else if (pacer.holdOff(ONE, g.generation(), w.priority(), 1).isPresent()) {
                    next.add(new Waiting(w.priority(), pacer.reserve(ONE, 1, w.priority(), Pacer.FRONT)));
                } else {
                    sent[w.priority().ordinal()]++;
                    if (w.priority() == Priority.BULK) {
                        bulkWaiting--;
                    }
                }
            }
            waiting = next;
            clock.advance(Duration.ofMillis(50));
        }
        int realtime = sent[Priority.REALTIME.ordinal()];
        int bulk = sent[Priority.BULK.ordinal()];
        assertThat(realtime + bulk).as("the scope's rate, 600 a minute, plus its burst").isBetween(590, 612);
        assertThat(bulk).as("bulk keeps about its 10%% share").isGreaterThanOrEqualTo((int) (0.09 * (realtime + bulk)));
        assertThat(realtime).as("real time gets the rest").isGreaterThanOrEqualTo(480);
    }

    @Test
    void shouldStaggerTheRechecksOfWaitingBulkMessages() {
        for (int i = 0; i < 3; i++) {
            pacer.reserve(ONE, 1, Priority.BULK, -1);
        }
        Grant first = pacer.reserve(ONE, 1, Priority.BULK, -1);
        Grant second = pacer.reserve(ONE, 2, Priority.BULK, -1);
        Grant third = pacer.reserve(ONE, 1, Priority.BULK, -1);
        assertThat(List.of(first, second, third)).noneMatch(Grant::reserved);
        // their turns come at 3, 5 (two segments) and 6 s: each asks again a horizon before its turn
        assertThat(List.of(first.at(), second.at(), third.at())).containsExactly(at(1), at(3), at(4));
        assertThat(pacer.view(SCOPE).waitingBulk()).isEqualTo(4);

        clock.set(first.at());
        Grant again = pacer.reserve(ONE, 1, Priority.BULK, first.ticket());
        assertThat(again.reserved()).isTrue();
        assertThat(again.at()).isEqualTo(at(3));
        assertThat(pacer.view(SCOPE).waitingBulk()).isEqualTo(3);
    }

    @Test
    void shouldKeepAReturningBulkMessagesPlaceWhenItsTurnSlipped() {
        for (int i = 0; i < 3; i++) {
            pacer.reserve(ONE, 1, Priority.BULK, -1);
        }
        List<Grant> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            queued.add(pacer.reserve(ONE, 1, Priority.BULK, -1));
        }
        // a 429 pauses the scope until 4 s: every bulk turn slips
        pacer.pause(SCOPE, Duration.ofSeconds(4));
        clock.set(queued.get(0).at());
        Grant again = pacer.reserve(ONE, 1, Priority.BULK, queued.get(0).ticket());
        assertThat(again.reserved()).isFalse();
        assertThat(again.ticket()).as("same place in the queue").isEqualTo(queued.get(0).ticket());
        assertThat(again.at()).as("its turn is now at 4 s, not behind the four after it").isEqualTo(at(2));
        clock.set(at(2));
        assertThat(pacer.reserve(ONE, 1, Priority.BULK, again.ticket()).at()).isEqualTo(at(4));
        assertThat(pacer.view(SCOPE).waitingBulk()).isEqualTo(4);
    }

    @Test
    void shouldPauseTheWholeScopeAndVoidSlotsGrantedBefore() {
        Grant before = pacer.reserve(ONE, 1, Priority.BULK, -1);
        Grant later = pacer.reserve(ONE, 1, Priority.BULK, -1);
        Instant until = pacer.pause(SCOPE, Duration.ofSeconds(10));
        assertThat(until).isEqualTo(at(10));

        assertThat(pacer.holdOff(ONE, later.generation(), Priority.BULK, 1)).contains(Duration.ofSeconds(10));
        clock.set(at(10));
        assertThat(pacer.holdOff(ONE, before.generation(), Priority.BULK, 1)).as("slot from before the pause must be taken again").contains(Duration.ZERO);

        Grant after = pacer.reserve(ONE, 1, Priority.REALTIME, -1);
        Grant next = pacer.reserve(ONE, 1, Priority.REALTIME, -1);
        assertThat(after.at()).isAfterOrEqualTo(until);
        assertThat(Duration.between(after.at(), next.at())).as("no herd after the pause").isEqualTo(Duration.ofSeconds(1));
        assertThat(pacer.holdOff(ONE, after.generation(), Priority.BULK, 1)).isEmpty();
    }

    @Test
    void shouldHoldEveryScopeOfARateLimitedSendAtOnce() {
        pacer.register(ScopeLimit.unlimited("user", REQUESTS, 8));
        List<String> both = List.of(SCOPE, "user");
        Grant booked = pacer.reserve(both, 1, Priority.REALTIME, -1);
        pacer.hold(both, Duration.ofSeconds(3));
        assertThat(pacer.holdOff(both, booked.generation(), Priority.BULK, 1)).contains(Duration.ofSeconds(3));
        assertThat(pacer.holdOff(List.of("user"), 0, Priority.BULK, 1)).as("each scope is held").contains(Duration.ofSeconds(3));
        assertThat(pacer.view(SCOPE).pauses()).as("not counted as a pause of its own").isZero();
    }

    @Test
    void shouldGrantNoSlotInsideAPauseEvenToRealtime() {
        pacer.pause(SCOPE, Duration.ofSeconds(30));
        clock.advance(Duration.ofSeconds(5));
        Grant g = pacer.reserve(ONE, 1, Priority.REALTIME, -1);
        assertThat(g.at()).isAfterOrEqualTo(at(30));
    }

    @Test
    void shouldAddASmallPositiveJitterToEveryPause() {
        Pacer jittered = pacer(Duration.ofSeconds(2), Duration.ofMillis(500), new SplittableRandom(42));
        jittered.register(new ScopeLimit(SCOPE, SEGMENTS, 60, 1, 2));
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
        pacer.reserve(ONE, 1, Priority.BULK, -1);
        Grant released = pacer.reserve(ONE, 1, Priority.BULK, -1);
        pacer.release(ONE, released, 1);
        assertThat(pacer.reserve(ONE, 1, Priority.BULK, -1).at()).isEqualTo(at(1));
    }

    @Test
    void shouldCapRequestsInFlight() throws InterruptedException {
        assertThat(pacer.enter(ONE, Duration.ZERO)).isTrue();
        assertThat(pacer.enter(ONE, Duration.ZERO)).isTrue();
        assertThat(pacer.enter(ONE, Duration.ZERO)).isFalse();
        assertThat(pacer.view(SCOPE).inFlight()).isEqualTo(2);
        pacer.exit(ONE);
        assertThat(pacer.enter(ONE, Duration.ZERO)).isTrue();
    }

    @Test
    void shouldRefuseAnUnknownScopeByName() {
        assertThatThrownBy(() -> pacer.reserve(List.of("twilio:x"), 1, Priority.BULK, -1))
                .hasMessageContaining("twilio:x");
    }

    @Test
    void shouldBookOneCommonSlotInEveryScopeOfASend() {
        pacer.register(new ScopeLimit("sender", REQUESTS, 30, 1, 2));
        List<String> both = List.of(SCOPE, "sender");
        assertThat(List.of(pacer.reserve(both, 1, Priority.REALTIME, -1).at(),
                pacer.reserve(both, 1, Priority.REALTIME, -1).at(),
                pacer.reserve(both, 1, Priority.REALTIME, -1).at())).containsExactly(at(0), at(2), at(4));
        // had the account been booked on its own (0, 1, 2 s) the next account-only slot would be at 3 s
        // and the sends at 2 and 4 s would have run ahead of their bookings
        assertThat(pacer.reserve(ONE, 1, Priority.REALTIME, -1).at()).isEqualTo(at(5));
    }

    @Test
    void shouldNotLetAScopeWithoutARateHoldASendBehindAnotherScopesBooking() {
        pacer.register(ScopeLimit.unlimited("user", REQUESTS, 8));
        pacer.register(new ScopeLimit("sender-a", REQUESTS, 6, 1, 8));
        pacer.register(new ScopeLimit("sender-b", REQUESTS, 6000, 1, 8));
        pacer.reserve(List.of("user", "sender-a"), 1, Priority.REALTIME, -1);
        assertThat(pacer.reserve(List.of("user", "sender-a"), 1, Priority.REALTIME, -1).at()).isEqualTo(at(10));
        assertThat(pacer.reserve(List.of("user", "sender-b"), 1, Priority.REALTIME, -1).at())
                .as("sender b's send is not held behind sender a's booking at 10 s").isEqualTo(at(0));
    }

    @Test
    void shouldCountRequestsNotSegmentsInARequestScope() {
        pacer.register(new ScopeLimit("user", REQUESTS, 60, 1, 2));
        List<String> user = List.of("user");
        pacer.reserve(user, 6, Priority.REALTIME, -1);
        assertThat(pacer.reserve(user, 6, Priority.REALTIME, -1).at()).isEqualTo(at(1));
    }

    @Test
    void shouldHalveTheRateOnceARoundOn429AndClimbBackAfterQuietPeriods() {
        pacer.register(new ScopeLimit(SCOPE, SEGMENTS, 600, 1, 8));
        Instant sent = clock.instant();
        pacer.rateLimited(SCOPE, sent, Duration.ZERO, OptionalDouble.empty(), OptionalLong.empty(), false);
        assertThat(pacer.view(SCOPE).rate()).isEqualTo(300);
        // a second 429 to a request sent before the cut says nothing new
        pacer.rateLimited(SCOPE, sent, Duration.ZERO, OptionalDouble.empty(), OptionalLong.empty(), false);
        assertThat(pacer.view(SCOPE).rate()).isEqualTo(300);
        for (int i = 0; i < 6; i++) {
            clock.advance(Duration.ofMillis(10));
            pacer.rateLimited(SCOPE, clock.instant(), Duration.ZERO, OptionalDouble.empty(), OptionalLong.empty(), false);
        }
        assertThat(pacer.view(SCOPE).rate()).as("never below the floor, a tenth of the ceiling").isEqualTo(60);
        assertThat(pacer.view(SCOPE).rateLimits()).isEqualTo(8);

        // busy: slots booked ahead; each quiet period of 10 s adds a tenth of the ceiling
        for (int period = 1; period <= 12; period++) {
            clock.advance(Duration.ofSeconds(10));
            for (int i = 0; i < 20; i++) {
                pacer.reserve(ONE, 1, Priority.REALTIME, -1);
            }
            assertThat(pacer.view(SCOPE).rate()).isEqualTo(Math.min(600, 60 + 60 * period));
        }
    }

    @Test
    void shouldNotClimbWhileTheScopeIsIdle() {
        pacer.register(new ScopeLimit(SCOPE, SEGMENTS, 600, 1, 8));
        pacer.rateLimited(SCOPE, clock.instant(), Duration.ZERO, OptionalDouble.empty(), OptionalLong.empty(), false);
        clock.advance(Duration.ofSeconds(60));
        pacer.reserve(ONE, 1, Priority.REALTIME, -1);
        assertThat(pacer.view(SCOPE).rate()).isEqualTo(300);
    }

    @Test
    void shouldAdoptTheRateAndQueueCapacityAProviderStates() {
        pacer.register(new ScopeLimit(SCOPE, SEGMENTS, 600, 100, 8));
        pacer.rateLimited(SCOPE, clock.instant(), Duration.ofSeconds(1), OptionalDouble.of(120), OptionalLong.of(60), false);
        ScopeView v = pacer.view(SCOPE);
        assertThat(v.rate()).isEqualTo(120);
        assertThat(v.ceiling()).as("the provider's word caps the climb").isEqualTo(120);
        clock.set(at(1));
        // queue target drops to half the stated capacity: 30 permits, then one every 0.5 s
        Grant last = null;
        for (int i = 0; i < 31; i++) {
            last = pacer.reserve(ONE, 1, Priority.REALTIME, -1);
        }
        assertThat(last.at()).isEqualTo(at(1 + 30 * 0.5));
        clock.advance(Duration.ofMinutes(5));
        pacer.reserve(ONE, 1, Priority.REALTIME, -1);
        assertThat(pacer.view(SCOPE).rate()).isEqualTo(120);
    }

    @Test
    void shouldNeverRaiseAStatedRateAboveTheConfiguredCeiling() {
        pacer.rateLimited(SCOPE, clock.instant(), Duration.ZERO, OptionalDouble.of(6000), OptionalLong.empty(), false);
        assertThat(pacer.view(SCOPE).ceiling()).isEqualTo(60);
        assertThat(pacer.view(SCOPE).rate()).as("429s at a rate under the stated one: cut all the same").isEqualTo(30);
    }

    @Test
    void shouldSpreadTheRemainingQuotaOverTheRestOfTheWindow() {
        pacer.register(ScopeLimit.unlimited("user", REQUESTS, 4));
        List<String> user = List.of("user");
        assertThat(pacer.reserve(user, 1, Priority.REALTIME, -1).at()).isEqualTo(at(0));
        pacer.observe("user", new Quota(20, 10, Duration.ofSeconds(1)));
        Grant first = pacer.reserve(user, 1, Priority.REALTIME, -1);
        Grant second = pacer.reserve(user, 1, Priority.REALTIME, -1);
        assertThat(Duration.between(first.at(), second.at())).isEqualTo(Duration.ofMillis(100));
        clock.advance(Duration.ofSeconds(2));
        Grant nextWindow = pacer.reserve(user, 1, Priority.REALTIME, -1);
        assertThat(pacer.reserve(user, 1, Priority.REALTIME, -1).at()).as("the quota only holds for its window")
                .isEqualTo(nextWindow.at());
    }

    @Test
    void shouldHoldAScopeUntilTheResetWhenItsQuotaIsSpent() throws InterruptedException {
        pacer.register(ScopeLimit.unlimited("user", REQUESTS, 4));
        List<String> user = List.of("user");
        Grant booked = pacer.reserve(user, 1, Priority.REALTIME, -1);
        assertThat(pacer.enter(user, Duration.ZERO)).isTrue();
        // one request still in flight and one left: that one may already be spoken for
        pacer.observe("user", new Quota(20, 1, Duration.ofMillis(700)));
        assertThat(pacer.holdOff(user, booked.generation(), Priority.BULK, 1)).contains(Duration.ofMillis(700));
        assertThat(pacer.reserve(user, 1, Priority.REALTIME, -1).at()).isEqualTo(at(0.7));
        assertThat(pacer.view("user").holds()).isEqualTo(1);
        assertThat(pacer.view("user").rateLimits()).isZero();
    }

    @Test
    void shouldReplanSlotsBookedAheadWhenTheQuotaTurnsOutTighter() {
        pacer.register(new ScopeLimit("user", REQUESTS, 6000, 1, 4));
        List<String> user = List.of("user");
        Grant booked = null;
        for (int i = 0; i < 200; i++) {
            booked = pacer.reserve(user, 1, Priority.REALTIME, -1);
        }
        assertThat(booked.at()).isEqualTo(at(1.99));
        pacer.observe("user", new Quota(10, 10, Duration.ofSeconds(1)));
        assertThat(pacer.holdOff(user, booked.generation(), Priority.BULK, 1)).as("booked at the old pace: ask again").contains(Duration.ZERO);
        Grant again = pacer.reserve(user, 1, Priority.REALTIME, -1);
        Grant next = pacer.reserve(user, 1, Priority.REALTIME, -1);
        assertThat(Duration.between(again.at(), next.at())).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void shouldEstimateTheProviderQueueFromAcceptedSegmentsAndItsDrain() {
        pacer.register(new ScopeLimit(SCOPE, SEGMENTS, 600, 60, 8));
        pacer.accepted(ONE, 30);
        clock.advance(Duration.ofSeconds(1));
        assertThat(pacer.view(SCOPE).queueEstimate()).isEqualTo(20);
        clock.advance(Duration.ofSeconds(5));
        assertThat(pacer.view(SCOPE).queueEstimate()).isZero();
    }

    @Test
    void shouldTakeItsShareOfTheBurstAndThePlacesInFlightInACluster() throws InterruptedException {
        pacer.register(new ScopeLimit("wide", SEGMENTS, 600, 4, 8));
        pacer.share(0.5);
        List<String> wide = List.of("wide");
        List<Instant> slots = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            slots.add(pacer.reserve(wide, 1, Priority.REALTIME, -1).at());
        }
        // half of the burst of 4, then one every 100 ms (the rate is shared through a timeline, not split)
        assertThat(slots).containsExactly(at(0), at(0), at(0.1), at(0.2), at(0.3));
        for (int i = 0; i < 4; i++) {
            assertThat(pacer.enter(wide, Duration.ZERO)).isTrue();
        }
        assertThat(pacer.enter(wide, Duration.ZERO)).as("half of 8 places in flight").isFalse();

        pacer.share(1);
        assertThat(pacer.enter(wide, Duration.ZERO)).as("the other node gone: every place again").isTrue();
    }

    @Test
    void shouldGrantSlotsOnlyInsideTheWindowsItClaimedOfASharedTimeline() {
        List<long[]> claims = new java.util.ArrayList<>();
        long[] shared = {0};
        pacer.shareTimeline((scope, from, length) -> {
            long start = Math.max(shared[0], from);
            shared[0] = start + length;
            claims.add(new long[] {start, length});
            return start;
        });
        // another node holds the next 5 s of the timeline
        shared[0] = T0.plusSeconds(5).toEpochMilli() * 1_000_000;
        Grant first = pacer.reserve(ONE, 1, Priority.REALTIME, -1);
        assertThat(first.at()).as("after the other node's window").isEqualTo(at(5));
        assertThat(claims).hasSize(1);
        assertThat(claims.get(0)[1]).as("ten permits at 60 a minute").isEqualTo(10_000_000_000L);
        for (int i = 1; i < 10; i++) {
            assertThat(pacer.reserve(ONE, 1, Priority.REALTIME, -1).at()).isEqualTo(at(5 + i));
        }
        assertThat(claims).as("inside its window: no new claim").hasSize(1);
        pacer.reserve(ONE, 1, Priority.REALTIME, -1);
        assertThat(claims).hasSize(2);
    }

    @Test
    void shouldHonourAnotherNodesSlotUnlessTheScopeIsHeld() {
        Pacer other = pacer(Duration.ofSeconds(2), Duration.ZERO, new SplittableRandom(2));
        other.register(new ScopeLimit(SCOPE, SEGMENTS, 60, 1, 2));
        Grant there = other.reserve(ONE, 1, Priority.BULK, -1);
        assertThat(pacer.isLocal(there.generation())).isFalse();
        assertThat(other.isLocal(there.generation())).isTrue();
        pacer.reserve(ONE, 1, Priority.BULK, -1);
        assertThat(pacer.holdOff(ONE, there.generation(), Priority.BULK, 1)).as("paced by the node that granted it").isEmpty();
        pacer.pause(SCOPE, Duration.ofSeconds(4));
        assertThat(pacer.holdOff(ONE, there.generation(), Priority.BULK, 1)).contains(Duration.ofSeconds(4));
    }

    @Test
    void shouldLearnFromA429AnotherNodeGot() {
        Instant until = T0.plusSeconds(7);
        pacer.rateLimitedElsewhere(new RateLimit(SCOPE, T0, until, java.util.OptionalDouble.of(30), java.util.OptionalLong.empty(), false));
        assertThat(pacer.view(SCOPE).pausedUntil()).isEqualTo(until);
        assertThat(pacer.view(SCOPE).rate()).as("the rate the other node was told").isEqualTo(30);
        pacer.rateLimitedElsewhere(new RateLimit("unknown-scope", T0, until, java.util.OptionalDouble.empty(),
                java.util.OptionalLong.empty(), false));
    }

    @Test
    void shouldOpenAsManyInFlightPlacesAsTheProviderTookAtOnceAndProbeForMoreSlowly() throws InterruptedException {
        pacer.register(new ScopeLimit(SCOPE, SEGMENTS, 600, 5, 8));
        Instant sent = clock.instant();
        for (int i = 0; i < 4; i++) {
            assertThat(pacer.enter(ONE, Duration.ZERO)).isTrue();
        }
        // the fourth was refused and left its place: three were taken at once
        pacer.exit(ONE);
        clock.advance(Duration.ofMillis(100));
        assertThat(pacer.tooManyInFlight(SCOPE, sent, null)).isEqualTo(3);
        assertThat(pacer.tooManyInFlight(SCOPE, sent, null)).as("a refusal of a request sent before the cut says nothing new").isEqualTo(3);
        assertThat(pacer.enter(ONE, Duration.ZERO)).as("three places open, all taken").isFalse();
        pacer.exit(ONE);
        pacer.exit(ONE);
        clock.advance(Duration.ofMillis(100));
        assertThat(pacer.tooManyInFlight(SCOPE, clock.instant(), null)).as("a refusal after the cut: the one still in flight").isEqualTo(1);
        pacer.exit(ONE);
        clock.advance(Duration.ofMillis(100));
        assertThat(pacer.tooManyInFlight(SCOPE, clock.instant(), null)).as("never fewer than one").isEqualTo(1);
        for (int i = 0; i < 9; i++) {
            pacer.accepted(ONE, 1);
        }
        assertThat(pacer.view(SCOPE).places()).as("nine taken: not yet").isEqualTo(1);
        pacer.accepted(ONE, 1);
        assertThat(pacer.view(SCOPE).places()).as("ten taken per place open: one more").isEqualTo(2);
        for (int i = 0; i < 400; i++) {
            pacer.accepted(ONE, 1);
        }
        assertThat(pacer.view(SCOPE).places()).as("never above the limit").isEqualTo(8);
        for (int i = 0; i < 8; i++) {
            assertThat(pacer.enter(ONE, Duration.ZERO)).isTrue();
        }
        assertThat(pacer.enter(ONE, Duration.ZERO)).isFalse();
    }

    @Test
    void shouldProbeForAnotherInFlightPlaceHalfAsOftenEachTimeAProbeIsRefused() {
        pacer.register(new ScopeLimit(SCOPE, SEGMENTS, 600, 5, 8));
        clock.advance(Duration.ofMillis(100));
        assertThat(pacer.tooManyInFlight(SCOPE, clock.instant(), null)).isEqualTo(1);
        int refused = 0;
        for (int round = 0; round < 3; round++) {
            int taken = 0;
            while (pacer.view(SCOPE).places() == 1) {
                pacer.accepted(ONE, 1);
                taken++;
            }
            assertThat(taken).as("probe %d after %d sends taken", round, taken).isEqualTo(10 << round);
            // the provider still takes one at a time: the probe is refused
            clock.advance(Duration.ofMillis(100));
            assertThat(pacer.tooManyInFlight(SCOPE, clock.instant(), null)).isEqualTo(1);
            refused++;
        }
        assertThat(refused).isEqualTo(3);
    }
}
