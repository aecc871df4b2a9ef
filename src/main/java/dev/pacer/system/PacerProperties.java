package dev.pacer.system;

import dev.pacer.provider.BandwidthSimulator.RetryAfterMode;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;
import java.util.Map;

/**
 * Pacer's settings ({@code pacer.*}): providers and their limits, retry policy, dispatch window and
 * the built-in simulator. Credentials come from the environment (for example
 * {@code PACER_PROVIDERS_BANDWIDTH_PASSWORD}) and never reach a process variable.
 */
@Validated
@ConfigurationProperties("pacer")
public record PacerProperties(
        @Valid Map<String, Provider> providers,
        @Valid @NotNull @DefaultValue Retry retry,
        @Valid @NotNull @DefaultValue Dispatch dispatch,
        @Valid @NotNull @DefaultValue Simulator simulator) {

    public PacerProperties {
        providers = providers == null ? Map.of() : Map.copyOf(providers);
    }

    /**
     * One provider account. Without a {@code baseUrl} the built-in simulator stands in for it.
     *
     * @param queueCapacity segments the provider queues before it answers 429
     */
    public record Provider(String baseUrl, @DefaultValue("pacer-account") String accountId,
                           @DefaultValue("pacer-application") String applicationId,
                           String username, String password,
                           @Min(1) @DefaultValue("60") int segmentsPerMinute,
                           @Min(0) @DefaultValue("0") int burst,
                           @Min(1) @DefaultValue("900") int queueCapacity,
                           @Min(1) @DefaultValue("8") int maxInFlight) {

        @Override
        public String toString() {
            // Credentials stay out of logs and error messages.
            return "Provider[baseUrl=" + baseUrl + ", accountId=" + accountId + ", segmentsPerMinute=" + segmentsPerMinute
                    + ", burst=" + burst + ", queueCapacity=" + queueCapacity + ", maxInFlight=" + maxInFlight + "]";
        }
    }

    /**
     * Backoff for transient failures, and the bounds any provider-told wait is clamped to.
     *
     * @param maxAttempts  tries per message that may fail transiently (429 waits do not count)
     * @param fallbackWait the wait after a 429 that names none
     */
    public record Retry(@NotNull @DefaultValue("PT1S") Duration initial,
                        @DecimalMin("1.0") @DefaultValue("2.0") double multiplier,
                        @NotNull @DefaultValue("PT60S") Duration max,
                        @Min(1) @DefaultValue("5") int maxAttempts,
                        @DecimalMin("0.0") @DecimalMax("1.0") @DefaultValue("0.5") double jitter,
                        @NotNull @DefaultValue("PT1S") Duration fallbackWait,
                        @NotNull @DefaultValue("PT0S") Duration minWait,
                        @NotNull @DefaultValue("PT15M") Duration maxWait,
                        @NotNull @DefaultValue("PT0.25S") Duration pauseJitter) {
    }

    /**
     * How messages are started and paced.
     *
     * @param window      the most message instances of one campaign alive at once
     * @param batch       the most message instances started in one transaction
     * @param interval    how often a campaign tops its window up
     * @param bulkHorizon how far ahead a bulk message may hold a send slot; slots beyond stay free
     *                    for real-time messages
     * @param inFlightWait how long a send waits for an in-flight place of its scope before it gives
     *                    its slot back and asks for a new one
     */
    public record Dispatch(@Min(1) @DefaultValue("2000") int window,
                           @Min(1) @DefaultValue("500") int batch,
                           @NotNull @DefaultValue("PT0.5S") Duration interval,
                           @NotNull @DefaultValue("PT2S") Duration bulkHorizon,
                           @NotNull @DefaultValue("PT2S") Duration inFlightWait) {
    }

    /** The built-in Bandwidth-compatible simulator, started for a provider with no base URL. */
    public record Simulator(@Min(1) @DefaultValue("600") int segmentsPerMinute,
                            @Min(1) @DefaultValue("60") int queueCapacity,
                            @NotNull @DefaultValue("NONE") RetryAfterMode retryAfter,
                            @NotNull @DefaultValue("PT0S") Duration clockSkew,
                            @DecimalMin("0.0") @DecimalMax("1.0") @DefaultValue("0.0") double serverErrorRate,
                            @NotNull @DefaultValue("PT0S") Duration latency) {
    }
}
