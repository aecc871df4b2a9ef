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
 * @param type                the provider's API ({@code bandwidth}, {@code genesys}, {@code twilio}); when absent, the account's name
 * @param accountId           Bandwidth's account id
 * @param applicationId       Bandwidth's application id
 * @param username            Bandwidth's API user
 * @param password            Bandwidth's API user's password
 * @param segmentsPerMinute   the account's rate, the ceiling Pacer never exceeds (Bandwidth, Twilio: segments)
 * @param burst               segments the account may take at once; for a provider that queues
 *                            (Bandwidth) this is the depth of its queue Pacer aims to keep, well
 *                            below the queue's capacity. 0: one second's worth
 * @param user                the API user's (credential's) limit, Genesys style; none by default
 * @param sender              each sender number's limit (10DLC, toll-free); none by default
 * @param rateLimitHeaders    the layer the provider's rate-limit headers describe
 * @param loginUrl            Genesys Cloud's login server ({@code https://login.mypurecloud.com}), where tokens are had
 * @param clientId            Genesys Cloud's OAuth client (client credentials grant)
 * @param clientSecret        its secret
 * @param requestsPerMinute   the account's rate where the provider counts requests (Genesys Cloud, per OAuth
 *                            client); 0: {@code segments-per-minute}
 * @param accountSid          Twilio's account SID ({@code AC...})
 * @param authToken           Twilio's auth token
 * @param messagingServiceSid Twilio's messaging service ({@code MG...}), sent instead of {@code From} when set
 * @param queueCapacity       segments one sender's queue at the provider holds (Twilio: 10 hours of sending), 0 for
 *                            unknown; a send refused because it is full holds the sender and is tried again
 * @param callbackUsername    the Basic credentials Bandwidth's callbacks (receipts, replies) must carry: set the same
 *                            on the Bandwidth application ({@code InboundCallbackCreds}); without them every callback is refused
 * @param callbackPassword    their password
 * @param dailyCapResetZone   where the carriers' daily caps reset at midnight (T-Mobile: Pacific time)
 * @param dailyQuota          the most the account sends in a day (from one midnight in {@code dailyCapResetZone} to the
 *                            next), in its provider's unit (segments; Genesys Cloud: requests); 0 for none. Set it to the
 *                            carriers' daily cap (T-Mobile's per brand) and the cap is never reached: the account holds
 *                            when its quota is spent, before a receipt would say so
 */
public record ProviderProperties(String type, String baseUrl, @DefaultValue("pacer-account") String accountId,
                                 @DefaultValue("pacer-application") String applicationId,
                                 String username, String password,
                                 @Min(1) @DefaultValue("60") int segmentsPerMinute,
                                 @Min(0) @DefaultValue("0") int burst,
                                 @Min(1) @DefaultValue("8") int maxInFlight,
                                 @Valid @NotNull @DefaultValue Layer user,
                                 @Valid @NotNull @DefaultValue Layer sender,
                                 @NotNull @DefaultValue("user") String rateLimitHeaders,
                                 String loginUrl, String clientId, String clientSecret,
                                 @Min(0) @DefaultValue("0") int requestsPerMinute,
                                 String accountSid, String authToken, String messagingServiceSid,
                                 @Min(0) @DefaultValue("0") int queueCapacity,
                                 String callbackUsername, String callbackPassword,
                                 @NotNull @DefaultValue("America/Los_Angeles") String dailyCapResetZone,
                                 @Min(0) @DefaultValue("0") long dailyQuota) {

    /**
     * A Bandwidth-style account, whose credentials are a user and a password. (A factory, not a
     * constructor: the properties bind through the record's one constructor.)
     */
    public static ProviderProperties of(String type, String baseUrl, String accountId, String applicationId, String username,
                                        String password, int segmentsPerMinute, int burst, int maxInFlight, Layer user, Layer sender,
                                        String rateLimitHeaders) {
        return new ProviderProperties(type, baseUrl, accountId, applicationId, username, password, segmentsPerMinute, burst, maxInFlight, user, sender,
                rateLimitHeaders, null, null, null, 0, null, null, null, 0, null, null, "America/Los_Angeles", 0);
    }

    /**
     * The same account with every credential it lacks made up (the simulator's own, when none are
     * configured): the user {@code pacer}, the client {@code pacer}, an account SID, and
     * {@code secret} as each password, secret and token.
     */
    public ProviderProperties withMissingCredentials(String secret) {
        return new ProviderProperties(type, baseUrl, accountId, applicationId, or(username, "pacer"), or(password, secret),
                segmentsPerMinute, burst, maxInFlight, user, sender, rateLimitHeaders, loginUrl, or(clientId, "pacer"),
                or(clientSecret, secret), requestsPerMinute, or(accountSid, "AC" + secret), or(authToken, secret), messagingServiceSid,
                queueCapacity, or(callbackUsername, "pacer"), or(callbackPassword, secret), dailyCapResetZone, dailyQuota);
    }

    /** The same account at another base URL and login server. */
    public ProviderProperties withBaseUrl(String baseUrl, String loginUrl) {
        return new ProviderProperties(type, baseUrl, accountId, applicationId, username, password, segmentsPerMinute, burst,
                maxInFlight, user, sender, rateLimitHeaders, loginUrl, clientId,
                clientSecret, requestsPerMinute, accountSid, authToken, messagingServiceSid, queueCapacity, callbackUsername, callbackPassword,
                dailyCapResetZone, dailyQuota);
    }

    /** The same account of another provider type. */
    public ProviderProperties withType(String type) {
        return new ProviderProperties(type, baseUrl, accountId, applicationId, username, password, segmentsPerMinute, burst,
                maxInFlight, user, sender, rateLimitHeaders, loginUrl, clientId, clientSecret, requestsPerMinute, accountSid, authToken,
                messagingServiceSid, queueCapacity, callbackUsername, callbackPassword, dailyCapResetZone, dailyQuota);
    }

    /** The account's own rate in its provider's unit: requests for a provider that counts requests, else segments. */
    public int perMinute(ScopeLimit.Unit unit) {
        return unit == ScopeLimit.Unit.REQUESTS && requestsPerMinute > 0 ? requestsPerMinute : segmentsPerMinute;
    }

    private static String or(String value, String otherwise) {
        return value == null || value.isBlank() ? otherwise : value;
    }

    @Override
    public String toString() {
        // Credentials stay out of logs and error messages.
        return "ProviderProperties[type=" + type + ", baseUrl=" + baseUrl + ", accountId=" + accountId + ", segmentsPerMinute="
                + segmentsPerMinute + ", requestsPerMinute=" + requestsPerMinute + ", burst=" + burst + ", maxInFlight=" + maxInFlight
                + ", user=" + user + ", sender=" + sender + (dailyQuota > 0 ? ", dailyQuota=" + dailyQuota : "") + "]";
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
