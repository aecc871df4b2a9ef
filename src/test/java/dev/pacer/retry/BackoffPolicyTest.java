package dev.pacer.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BackoffPolicyTest {

    /** Always draws the same value, so jittered delays are exactly predictable. */
    private static final class FixedRandom implements RandomGenerator {
        private final double value;

        FixedRandom(double value) {
            this.value = value;
        }

        @Override
        public double nextDouble() {
            return value;
        }

        @Override
        public long nextLong() {
            throw new UnsupportedOperationException("only nextDouble is expected");
        }
    }

    private static final RandomGenerator NO_LUCK = new FixedRandom(0.0);

    private final BackoffPolicy noJitter =
            BackoffPolicy.exponential(Duration.ofMillis(100), 2.0, Duration.ofSeconds(10), 5, 0.0);

    @Test
    void shouldGrowExponentiallyFromInitialDelay() {
        assertThat(noJitter.delay(1, NO_LUCK)).isEqualTo(Duration.ofMillis(100));
        assertThat(noJitter.delay(2, NO_LUCK)).isEqualTo(Duration.ofMillis(200));
        assertThat(noJitter.delay(3, NO_LUCK)).isEqualTo(Duration.ofMillis(400));
        assertThat(noJitter.delay(4, NO_LUCK)).isEqualTo(Duration.ofMillis(800));
    }

    @Test
    void shouldGrowByFractionalMultiplier() {
        BackoffPolicy policy = BackoffPolicy.exponential(Duration.ofSeconds(1), 1.5, Duration.ofMinutes(1), 5, 0.0);
        assertThat(policy.delay(2, NO_LUCK)).isEqualTo(Duration.ofMillis(1500));
        assertThat(policy.delay(3, NO_LUCK)).isEqualTo(Duration.ofMillis(2250));
    }

    @Test
    void shouldStayConstantWithMultiplierOne() {
        BackoffPolicy policy = BackoffPolicy.exponential(Duration.ofSeconds(2), 1.0, Duration.ofSeconds(2), 3, 0.0);
        assertThat(policy.delay(1_000_000, NO_LUCK)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void shouldCapDelayAtMax() {
        assertThat(noJitter.delay(8, NO_LUCK)).isEqualTo(Duration.ofSeconds(10));
        assertThat(noJitter.delay(50, NO_LUCK)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void shouldNotOverflowForHugeAttemptCounts() {
        BackoffPolicy policy = BackoffPolicy.exponential(
                Duration.ofDays(1), 10.0, Duration.ofSeconds(Long.MAX_VALUE), 3, 0.0);
        assertThat(noJitter.delay(Integer.MAX_VALUE, NO_LUCK)).isEqualTo(Duration.ofSeconds(10));
        assertThat(policy.delay(Integer.MAX_VALUE, NO_LUCK)).isEqualTo(Duration.ofSeconds(Long.MAX_VALUE));
    }

    @Test
    void shouldReturnFullBaseWhenJitterDrawsZero() {
        BackoffPolicy policy = BackoffPolicy.exponential(Duration.ofMillis(100), 2.0, Duration.ofSeconds(10), 5, 0.5);
        assertThat(policy.delay(4, new FixedRandom(0.0))).isEqualTo(Duration.ofMillis(800));
    }

    @Test
    void shouldRemoveProportionalShareOfBaseAsJitter() {
        BackoffPolicy policy = BackoffPolicy.exponential(Duration.ofMillis(100), 2.0, Duration.ofSeconds(10), 5, 0.5);
        assertThat(policy.delay(4, new FixedRandom(0.5))).isEqualTo(Duration.ofMillis(600));
    }

    @Test
    void shouldNeverGoBelowJitterLowerBound() {
        BackoffPolicy policy = BackoffPolicy.exponential(Duration.ofMillis(100), 2.0, Duration.ofSeconds(10), 5, 0.5);
        double justBelowOne = Math.nextDown(1.0);
        assertThat(policy.delay(4, new FixedRandom(justBelowOne)))
                .isBetween(Duration.ofMillis(400), Duration.ofMillis(800));
    }

    @Test
    void shouldSpreadFullJitterDownToNearlyZero() {
        BackoffPolicy policy = BackoffPolicy.exponential(Duration.ofSeconds(1), 2.0, Duration.ofSeconds(10), 5, 1.0);
        assertThat(policy.delay(1, new FixedRandom(Math.nextDown(1.0))))
                .isBetween(Duration.ZERO, Duration.ofNanos(1));
        assertThat(policy.delay(1, new FixedRandom(0.25))).isEqualTo(Duration.ofMillis(750));
    }

    @Test
    void shouldDrawFullJitterBetweenZeroAndTheExponentialWait() {
        BackoffPolicy policy = BackoffPolicy.exponential(Duration.ofSeconds(1), 2.0, Duration.ofSeconds(10), 5, 0)
                .withMode(BackoffPolicy.Jitter.FULL);
        assertThat(policy.delay(3, null, new FixedRandom(0.0))).isEqualTo(Duration.ZERO);
        assertThat(policy.delay(3, null, new FixedRandom(0.5))).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.delay(9, null, new FixedRandom(0.5))).as("capped first").isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void shouldDrawDecorrelatedJitterFromTheInitialToMultiplierTimesThePreviousWait() {
        BackoffPolicy policy = BackoffPolicy.exponential(Duration.ofSeconds(1), 3.0, Duration.ofSeconds(20), 5, 0)
                .withMode(BackoffPolicy.Jitter.DECORRELATED);
        assertThat(policy.delay(1, null, new FixedRandom(0.9))).as("first: the initial wait").isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.delay(2, Duration.ofSeconds(4), new FixedRandom(0.0))).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.delay(2, Duration.ofSeconds(4), new FixedRandom(0.5))).isEqualTo(Duration.ofMillis(6500));
        assertThat(policy.delay(3, Duration.ofSeconds(15), new FixedRandom(0.99))).as("capped").isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void shouldIgnoreRandomnessWithoutJitter() {
        BackoffPolicy policy = BackoffPolicy.exponential(Duration.ofMillis(500), 2.0, Duration.ofMinutes(1), 5, 0.5)
                .withMode(BackoffPolicy.Jitter.NONE);
        assertThat(policy.delay(3, null, new FixedRandom(0.7))).as("the guide's delay = coefficient * delay").isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void shouldKeepSeededJitteredDelaysWithinBounds() {
        BackoffPolicy policy = BackoffPolicy.exponential(Duration.ofMillis(250), 3.0, Duration.ofSeconds(30), 10, 0.3);
        RandomGenerator seeded = new SplittableRandom(42);
        for (int attempt = 1; attempt <= 10; attempt++) {
            Duration base = policy.delay(attempt, new FixedRandom(0.0));
            Duration lower = Duration.ofNanos((long) Math.ceil(base.toNanos() * 0.7));
            for (int draw = 0; draw < 200; draw++) {
                assertThat(policy.delay(attempt, seeded)).isBetween(lower, base);
            }
        }
    }

    @Test
    void shouldAllowAttemptsUpToMaxAttempts() {
        BackoffPolicy policy = BackoffPolicy.exponential(Duration.ofSeconds(1), 2.0, Duration.ofSeconds(8), 3, 0.0);
        assertThat(policy.allowsAnotherAttempt(0)).isTrue();
        assertThat(policy.allowsAnotherAttempt(2)).isTrue();
        assertThat(policy.allowsAnotherAttempt(3)).isFalse();
        assertThat(policy.allowsAnotherAttempt(4)).isFalse();
    }

    @Test
    void shouldRejectNegativeAttemptsMade() {
        assertThatThrownBy(() -> noJitter.allowsAnotherAttempt(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("attemptsMade");
    }

    @Test
    void shouldRejectDelayBeforeAnyFailure() {
        assertThatThrownBy(() -> noJitter.delay(0, NO_LUCK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("failedAttempts");
    }

    @Test
    void shouldRejectNullRandom() {
        assertThatThrownBy(() -> noJitter.delay(1, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("random");
    }

    record Invalid(String field, Duration initial, double multiplier, Duration max, int maxAttempts, double jitter) {
        @Override
        public String toString() {
            return field + " (" + initial + ", " + multiplier + ", " + max + ", " + maxAttempts + ", " + jitter + ")";
        }
    }

    static Stream<Invalid> invalidPolicies() {
        Duration one = Duration.ofSeconds(1);
        Duration ten = Duration.ofSeconds(10);
        return Stream.of(
                new Invalid("initial", null, 2.0, ten, 3, 0.0),
                new Invalid("initial", Duration.ZERO, 2.0, ten, 3, 0.0),
                new Invalid("initial", Duration.ofSeconds(-1), 2.0, ten, 3, 0.0),
                new Invalid("multiplier", one, 0.5, ten, 3, 0.0),
                new Invalid("multiplier", one, Double.NaN, ten, 3, 0.0),
                new Invalid("multiplier", one, Double.POSITIVE_INFINITY, ten, 3, 0.0),
                new Invalid("max", one, 2.0, null, 3, 0.0),
                new Invalid("max", ten, 2.0, one, 3, 0.0),
                new Invalid("maxAttempts", one, 2.0, ten, 0, 0.0),
                new Invalid("jitter", one, 2.0, ten, 3, -0.1),
                new Invalid("jitter", one, 2.0, ten, 3, 1.1),
                new Invalid("jitter", one, 2.0, ten, 3, Double.NaN));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidPolicies")
    void shouldRejectInvalidSettingsNamingTheField(Invalid p) {
        assertThatThrownBy(() -> BackoffPolicy.exponential(p.initial(), p.multiplier(), p.max(), p.maxAttempts(), p.jitter()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(p.field() + " must");
    }

    /** A written policy and the error its bad field gives. */
    record WrittenCase(String initial, String multiplier, String max, String maxAttempts, String jitter, String error) {
    }

    static Stream<WrittenCase> badlyWritten() {
        return Stream.of(
                new WrittenCase("PT1", "2", "PT1M", "5", "full", "initial: 'PT1' is not an ISO-8601 duration"),
                new WrittenCase("PT1S", "two", "PT1M", "5", "full", "multiplier: 'two' is not a number"),
                new WrittenCase("PT1S", "2", "", "5", "full", "max: missing"),
                new WrittenCase("PT1S", "2", "PT1M", "5.5", "full", "maxAttempts: '5.5' is not a whole number"),
                new WrittenCase("PT1S", "2", "PT1M", "5", "random", "jitter: 'random' is not one of none, proportional, full, decorrelated"),
                new WrittenCase("PT1M", "2", "PT1S", "5", "full", "max must be >= initial"),
                new WrittenCase("PT1S", "2", "PT1M", "0", "none", "maxAttempts must be >= 1"));
    }

    @ParameterizedTest
    @MethodSource("badlyWritten")
    void shouldRefuseABadlyWrittenPolicyNamingTheField(WrittenCase c) {
        assertThatThrownBy(() -> BackoffPolicy.parse(c.initial(), c.multiplier(), c.max(), c.maxAttempts(), c.jitter()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(c.error());
    }

    @Test
    void shouldReadAWrittenPolicy() {
        assertThat(BackoffPolicy.parse(" PT30S", "2", "PT10M", "4", "Decorrelated"))
                .isEqualTo(new BackoffPolicy(Duration.ofSeconds(30), 2, Duration.ofMinutes(10), 4, 0.5, BackoffPolicy.Jitter.DECORRELATED));
    }

    @Test
    void shouldLetTheSettingsPolicyReplaceTheTablesRowOfTheSameName() {
        BackoffPolicy table = BackoffPolicy.parse("PT1S", "2", "PT1M", "5", "full");
        BackoffPolicy settings = BackoffPolicy.parse("PT2S", "2", "PT1M", "3", "none");
        BackoffPolicy extra = BackoffPolicy.parse("PT5S", "1", "PT5S", "2", "none");
        RetryPolicies policies = RetryPolicies.of(java.util.Map.of("default", table, "network", table),
                java.util.Map.of("default", settings, "extra", extra));
        assertThat(policies.policy("default")).isEqualTo(settings);
        assertThat(policies.policy("network")).isEqualTo(table);
        assertThat(policies.policy("extra")).isEqualTo(extra);
        assertThat(RetryPolicies.of(null, java.util.Map.of()).names()).as("no table: the built-in ones")
                .containsExactly("carrier", "default", "network");
    }
}
