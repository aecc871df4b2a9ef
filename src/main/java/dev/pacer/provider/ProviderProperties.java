package dev.pacer.provider;

import dev.pacer.throttle.ScopeLimit;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * One provider account ({@code pacer.providers.NAME.*}). Without a {@code base-url} it is refused,
 * unless the built-in simulator is on ({@code pacer.simulator.enabled}), which then stands in for it.
 * A send waits for every layer of limits that applies to it: the account, the API user, the sender
 * number, and the campaign's own cap. Credentials come from properties or the environment (for
 * example {@code PACER_PROVIDERS_BANDWIDTH_PASSWORD}) and never reach a process variable.
 *
 * @param type              the provider's API ({@code bandwidth}); when absent, the account's name
 * @param accountId         Bandwidth's account id
 * @param applicationId     Bandwidth's application id
 * @param segmentsPerMinute the account's rate, the ceiling Pacer never exceeds
 * @param burst             segments the account may take at once; for a provider that queues
 *                          (Bandwidth) this is the depth of its queue Pacer aims to keep, well
 *                          below the queue's capacity. 0: one second's worth
 * @param user              the API user's (credential's) limit, Genesys style; none by default
 * @param sender            each sender number's limit (10DLC, toll-free); none by default
 * @param rateLimitHeaders  the layer the provider's rate-limit headers describe
 */
public record ProviderProperties(String type, String baseUrl, @DefaultValue("pacer-account") String accountId,
                                 @DefaultValue("pacer-application") String applicationId,
                                 String username, String password,
                                 @Min(1) @DefaultValue("60") int segmentsPerMinute,
                                 @Min(0) @DefaultValue("0") int burst,
                                 @Min(1) @DefaultValue("8") int maxInFlight,
                                 @Valid @NotNull @DefaultValue Layer user,
                                 @Valid @NotNull @DefaultValue Layer sender,
                                 @NotNull @DefaultValue("user") String rateLimitHeaders) {

    /** The same account with other credentials (the simulator's own, when none are configured). */
    public ProviderProperties withCredentials(String username, String password) {
        return new ProviderProperties(type, baseUrl, accountId, applicationId, username, password, segmentsPerMinute, burst,
                maxInFlight, user, sender, rateLimitHeaders);
    }

    /** The same account at another base URL. */
    public ProviderProperties withBaseUrl(String baseUrl) {
        return new ProviderProperties(type, baseUrl, accountId, applicationId, username, password, segmentsPerMinute, burst,
                maxInFlight, user, sender, rateLimitHeaders);
    }

    @Override
    public String toString() {
        // Credentials stay out of logs and error messages.
        return "ProviderProperties[type=" + type + ", baseUrl=" + baseUrl + ", accountId=" + accountId + ", segmentsPerMinute="
                + segmentsPerMinute + ", burst=" + burst + ", maxInFlight=" + maxInFlight + ", user=" + user + ", sender=" + sender + "]";
    }

    /**
     * One layer of limits: {@code limit} permits per {@code window}, counted in {@code unit}.
     *
     * @param limit       0 for no rate of its own (it may still learn one from rate-limit headers)
     * @param maxInFlight 0 for no cap of its own
     */
    public record Layer(@Min(0) @DefaultValue("0") int limit,
                        @NotNull @DefaultValue("PT1S") Duration window,
                        @NotNull @DefaultValue("REQUESTS") ScopeLimit.Unit unit,
                        @Min(0) @DefaultValue("0") int burst,
                        @Min(0) @DefaultValue("0") int maxInFlight) {

        public static Layer none() {
            return new Layer(0, Duration.ofSeconds(1), ScopeLimit.Unit.REQUESTS, 0, 0);
        }

        /** Whether the layer limits anything: a rate or an in-flight cap of its own. */
        public boolean limited() {
            return limit > 0 || maxInFlight > 0;
        }

        /** The layer's limit for one scope; {@code inFlightDefault} when it sets no cap of its own. */
        public ScopeLimit toLimit(String scope, int inFlightDefault) {
            int inFlight = maxInFlight > 0 ? maxInFlight : inFlightDefault;
            if (limit == 0) {
                return ScopeLimit.unlimited(scope, unit, inFlight);
            }
            double perMinute = limit * 60e9 / window.toNanos();
            return new ScopeLimit(scope, unit, perMinute, burst > 0 ? burst : ScopeLimit.secondsWorth(perMinute), inFlight);
        }
    }
}
