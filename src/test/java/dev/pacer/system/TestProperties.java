package dev.pacer.system;

import dev.pacer.provider.BandwidthSimulator;
import dev.pacer.retry.BackoffPolicy;

import java.time.Duration;
import java.util.Map;

/** Pacer settings for tests that build the delegates by hand. */
final class TestProperties {

    private TestProperties() {
    }

    /** One Bandwidth account at {@code baseUrl}; transient failures back off 2 s, 4 s... without jitter, 3 attempts. */
    static PacerProperties withProvider(String baseUrl, int segmentsPerMinute) {
        return new PacerProperties(
                Map.of("bandwidth", new PacerProperties.Provider(baseUrl, "acct", "app", "user", "secret", segmentsPerMinute, 1, 4,
                        PacerProperties.Layer.none(), PacerProperties.Layer.none(), "user")),
                retry(Duration.ofMinutes(30)),
                new PacerProperties.Adaptive(0.7, 0.05, Duration.ofSeconds(5), 0.05),
                new PacerProperties.Dispatch(100, 50, Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ZERO, 0.1,
                        Duration.ofDays(30), Duration.ofSeconds(1)),
                new PacerProperties.Simulator(null, 600, 20, BandwidthSimulator.RetryAfterMode.NONE, 1, true, Duration.ZERO, 0, Duration.ZERO,
                        0, Duration.ofSeconds(1), Duration.ZERO, Duration.ZERO),
                new PacerProperties.Suppression(null));
    }

    static PacerProperties.Retry retry(Duration rateLimitBudget) {
        return new PacerProperties.Retry(
                Map.of("default", new PacerProperties.Policy(Duration.ofSeconds(2), 2, Duration.ofSeconds(30), 3, BackoffPolicy.Jitter.NONE)),
                Duration.ofSeconds(1), Duration.ZERO, Duration.ofMinutes(15), Duration.ZERO, rateLimitBudget);
    }
}
