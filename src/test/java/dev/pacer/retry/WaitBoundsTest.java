package dev.pacer.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WaitBoundsTest {

    private final WaitBounds bounds = new WaitBounds(Duration.ofSeconds(1), Duration.ofMinutes(15));

    @Test
    void shouldRaiseShortWaitToMin() {
        assertThat(bounds.clamp(Duration.ofMillis(10))).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void shouldRaiseNegativeWaitToMin() {
        assertThat(bounds.clamp(Duration.ofSeconds(-30))).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void shouldLowerLongWaitToMax() {
        assertThat(bounds.clamp(Duration.ofHours(2))).isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void shouldLowerSaturatedRetryAfterToMax() {
        assertThat(bounds.clamp(Duration.ofSeconds(Long.MAX_VALUE))).isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void shouldKeepWaitWithinBounds() {
        assertThat(bounds.clamp(Duration.ofSeconds(42))).isEqualTo(Duration.ofSeconds(42));
        assertThat(bounds.clamp(Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(1));
        assertThat(bounds.clamp(Duration.ofMinutes(15))).isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void shouldAllowZeroMinAndEqualBounds() {
        WaitBounds fixed = new WaitBounds(Duration.ZERO, Duration.ZERO);
        assertThat(fixed.clamp(Duration.ofSeconds(5))).isEqualTo(Duration.ZERO);
    }

    @Test
    void shouldRejectNullMin() {
        assertThatThrownBy(() -> new WaitBounds(null, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("min");
    }

    @Test
    void shouldRejectNullMax() {
        assertThatThrownBy(() -> new WaitBounds(Duration.ZERO, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max");
    }

    @Test
    void shouldRejectNegativeMin() {
        assertThatThrownBy(() -> new WaitBounds(Duration.ofSeconds(-1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("min must be >= 0");
    }

    @Test
    void shouldRejectMaxBelowMin() {
        assertThatThrownBy(() -> new WaitBounds(Duration.ofSeconds(10), Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max must be >= min");
    }

    @Test
    void shouldRejectNullDurationToClamp() {
        assertThatThrownBy(() -> bounds.clamp(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("duration");
    }
}
