package dev.pacer.retry;

import dev.pacer.throttle.Quota;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitHeadersTest {

    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    private static Optional<Quota> read(String... nameValues) {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 0; i < nameValues.length; i += 2) {
            headers.put(nameValues[i], nameValues[i + 1]);
        }
        return RateLimitHeaders.read(headers::get, NOW);
    }

    @Test
    void shouldReadTheStructuredDraftWithItsPolicy() {
        assertThat(read("RateLimit", "\"burst\";r=50;t=30", "RateLimit-Policy", "\"burst\";q=100;w=60"))
                .contains(new Quota(100, 50, Duration.ofSeconds(30)));
    }

    @Test
    void shouldTakeThePolicyWithTheLeastLeft() {
        assertThat(read("RateLimit", "\"day\";r=900;t=3600, \"burst\";r=3;t=2",
                "RateLimit-Policy", "\"day\";q=1000;w=86400, \"burst\";q=10;w=10"))
                .contains(new Quota(10, 3, Duration.ofSeconds(2)));
    }

    @Test
    void shouldReadTheEarlierDraftForms() {
        assertThat(read("RateLimit", "limit=100, remaining=7, reset=5")).contains(new Quota(100, 7, Duration.ofSeconds(5)));
        assertThat(read("RateLimit-Limit", "20", "RateLimit-Remaining", "4", "RateLimit-Reset", "1"))
                .contains(new Quota(20, 4, Duration.ofSeconds(1)));
    }

    @Test
    void shouldReadXRateLimitResetAsSecondsOrAsAnEpochTime() {
        assertThat(read("X-RateLimit-Limit", "60", "X-RateLimit-Remaining", "12", "X-RateLimit-Reset", "42"))
                .contains(new Quota(60, 12, Duration.ofSeconds(42)));
        long epoch = NOW.plusSeconds(9).getEpochSecond();
        assertThat(read("x-ratelimit-remaining", "0", "x-ratelimit-reset", Long.toString(epoch)))
                .contains(new Quota(-1, 0, Duration.ofSeconds(9)));
        assertThat(read("X-RateLimit-Remaining", "5", "X-RateLimit-Reset", Long.toString(NOW.plusMillis(1500).toEpochMilli())))
                .contains(new Quota(-1, 5, Duration.ofMillis(1500)));
    }

    @Test
    void shouldMeasureAnEpochResetAgainstTheProvidersDateHeader() {
        // the provider's clock runs 30 s ahead of ours: its Date and its reset agree with each other
        long epoch = NOW.plusSeconds(30 + 4).getEpochSecond();
        assertThat(read("Date", "Tue, 01 Jan 2030 00:00:30 GMT", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", Long.toString(epoch)))
                .contains(new Quota(-1, 0, Duration.ofSeconds(4)));
    }

    @Test
    void shouldReadGenesysHeaders() {
        assertThat(read("inin-ratelimit-count", "297", "inin-ratelimit-allowed", "300", "inin-ratelimit-reset", "18"))
                .contains(new Quota(300, 3, Duration.ofSeconds(18)));
    }

    @Test
    void shouldYieldNothingForMissingOrBrokenHeaders() {
        assertThat(read()).isEmpty();
        assertThat(read("X-RateLimit-Remaining", "lots", "X-RateLimit-Reset", "5")).isEmpty();
        assertThat(read("X-RateLimit-Limit", "60")).isEmpty();
        assertThat(read("RateLimit", "\"x\";q=5")).isEmpty();
    }
}
