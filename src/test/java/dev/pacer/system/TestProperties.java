package dev.pacer.system;

import dev.pacer.provider.BandwidthSimulator;

import java.time.Duration;
import java.util.Map;

/** Pacer settings for tests that build the delegates by hand. */
final class TestProperties {

    private TestProperties() {
    }

    static PacerProperties withProvider(String baseUrl, int segmentsPerMinute) {
        return new PacerProperties(
                Map.of("bandwidth", new PacerProperties.Provider(baseUrl, "acct", "app", "user", "secret", segmentsPerMinute, 1, 900, 4)),
                new PacerProperties.Retry(Duration.ofSeconds(1), 2, Duration.ofSeconds(60), 5, 0.5, Duration.ofSeconds(1),
                        Duration.ZERO, Duration.ofMinutes(15), Duration.ZERO),
                new PacerProperties.Dispatch(100, 50, Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ZERO),
                new PacerProperties.Simulator(600, 20, BandwidthSimulator.RetryAfterMode.NONE, Duration.ZERO, 0, Duration.ZERO));
    }
}
