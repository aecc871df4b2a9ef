package dev.pacer.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class RetryAfterTest {

    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z"); // a Saturday

    @Test
    void shouldReadDelaySeconds() {
        assertThat(RetryAfter.parse("120", null, NOW)).contains(Duration.ofSeconds(120));
    }

    @Test
    void shouldTrimWhitespaceAroundDelaySeconds() {
        assertThat(RetryAfter.parse("  7 \t", null, NOW)).contains(Duration.ofSeconds(7));
    }

    @Test
    void shouldReadZeroSecondsAsNoWait() {
        assertThat(RetryAfter.parse("0", null, NOW)).contains(Duration.ZERO);
    }

    @Test
    void shouldIgnoreDateHeaderForDelaySeconds() {
        assertThat(RetryAfter.parse("30", "Sat, 01 Mar 2025 11:00:00 GMT", NOW))
                .contains(Duration.ofSeconds(30));
    }

    @Test
    void shouldSaturateInsteadOfOverflowingOnHugeDelaySeconds() {
        assertThat(RetryAfter.parse("99999999999999999999", null, NOW))
                .contains(Duration.ofSeconds(Long.MAX_VALUE));
    }

    @Test
    void shouldMeasureHttpDateAgainstMatchingDateHeader() {
        assertThat(RetryAfter.parse("Sat, 01 Mar 2025 12:02:00 GMT", "Sat, 01 Mar 2025 12:00:00 GMT", NOW))
                .contains(Duration.ofSeconds(120));
    }

    record Skew(String name, String retryAfter, String date) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Skew> skewedProviderClocks() {
        return Stream.of(
                new Skew("provider 30 s ahead",
                        "Sat, 01 Mar 2025 12:02:30 GMT", "Sat, 01 Mar 2025 12:00:30 GMT"),
                new Skew("provider 30 s behind",
                        "Sat, 01 Mar 2025 12:01:30 GMT", "Sat, 01 Mar 2025 11:59:30 GMT"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("skewedProviderClocks")
    void shouldCancelProviderClockSkewByMeasuringAgainstDateHeader(Skew skew) {
        assertThat(RetryAfter.parse(skew.retryAfter(), skew.date(), NOW))
                .contains(Duration.ofSeconds(120));
    }

    @Test
    void shouldMeasureHttpDateAgainstNowWithoutDateHeader() {
        assertThat(RetryAfter.parse("Sat, 01 Mar 2025 12:02:30 GMT", null, NOW))
                .contains(Duration.ofSeconds(150));
    }

    @Test
    void shouldFallBackToNowWhenDateHeaderIsUnparseable() {
        assertThat(RetryAfter.parse("Sat, 01 Mar 2025 12:02:30 GMT", "yesterday-ish", NOW))
                .contains(Duration.ofSeconds(150));
    }

    @Test
    void shouldReturnZeroForHttpDateInThePast() {
        assertThat(RetryAfter.parse("Sat, 01 Mar 2025 11:58:00 GMT", null, NOW)).contains(Duration.ZERO);
        assertThat(RetryAfter.parse("Sat, 01 Mar 2025 11:58:00 GMT", "Sat, 01 Mar 2025 12:00:00 GMT", NOW))
                .contains(Duration.ZERO);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "Sun, 06 Nov 1994 08:49:37 GMT", // IMF-fixdate
            "Sunday, 06-Nov-94 08:49:37 GMT", // obsolete RFC 850
            "Sun Nov  6 08:49:37 1994" // obsolete asctime
    })
    void shouldAcceptAllThreeHttpDateForms(String retryAfter) {
        Instant now = Instant.parse("1994-11-06T08:47:37Z");
        assertThat(RetryAfter.parse(retryAfter, null, now)).contains(Duration.ofSeconds(120));
    }

    @Test
    void shouldReadRfc850TwoDigitYearWithinFiftyYearsOfNow() {
        assertThat(RetryAfter.parse("Saturday, 01-Mar-25 12:01:00 GMT", null, NOW))
                .contains(Duration.ofSeconds(60));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "   ", "soon", "-5", "+5", "1.5", "12abc", "٣",
            "Sat, 01 Mar 2025 12:02:00 UTC", "Sat, 32 Mar 2025 12:02:00 GMT"})
    void shouldReturnEmptyForMissingOrInvalidValues(String retryAfter) {
        assertThat(RetryAfter.parse(retryAfter, null, NOW)).isEmpty();
    }

    @Test
    void shouldRejectNullNow() {
        assertThatThrownBy(() -> RetryAfter.parse("5", null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("now");
    }

    @Test
    void shouldReadAnRfc1123DateWithAOneDigitDay() {
        Instant now = Instant.parse("2030-01-01T09:00:34Z");
        assertThat(RetryAfter.parse("Tue, 1 Jan 2030 09:00:36 GMT", "Tue, 1 Jan 2030 09:00:34 GMT", now)).contains(Duration.ofSeconds(2));
    }
}
