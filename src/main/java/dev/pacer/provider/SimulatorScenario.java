package dev.pacer.provider;

import java.time.Duration;

/**
 * The hostile providers Pacer is tested and measured against. Every one locks the account out for
 * a minute after a request inside a wait it told, and where it sends {@code Retry-After} it refuses
 * everything for 2 s after a 429 (telling 2 s times its factor).
 */
public enum SimulatorScenario {
    KNOWN_LIMIT("limit known", 1, RetryAfterMode.NONE, 1, true, 0, 0, false),
    LIMIT_UNKNOWN("limit unknown: configured 2x true, honest Retry-After", 2, RetryAfterMode.SECONDS, 1, false, 0, 0, false),
    HALF_RATE_STATED("configured 2x true, 429 body states the rate", 2, RetryAfterMode.NONE, 1, true, 0, 0, false),
    HALF_RATE_SILENT("configured 2x true, no Retry-After, no rate in body", 2, RetryAfterMode.NONE, 1, false, 0, 0, false),
    RETRY_AFTER_UNDERSTATED("configured 2x true, Retry-After half the real wait", 2, RetryAfterMode.SECONDS, 0.5, false, 0, 0, false),
    RETRY_AFTER_OVERSTATED("configured 2x true, Retry-After 3x the real wait", 2, RetryAfterMode.SECONDS, 3, false, 0, 0, false),
    HTTP_DATE_SKEWED_AHEAD("configured 2x true, HTTP-date, provider clock +30 s", 2, RetryAfterMode.HTTP_DATE, 1, false, 30, 0, false),
    HTTP_DATE_SKEWED_BEHIND("configured 2x true, HTTP-date, provider clock -30 s", 2, RetryAfterMode.HTTP_DATE, 1, false, -30, 0, false),
    USER_AND_ACCOUNT_LIMITS("per-user limit (not configured) and account limit", 1, RetryAfterMode.SECONDS, 1, true, 0, 0, true),
    SERVER_ERRORS("5% random 500s", 1, RetryAfterMode.NONE, 1, true, 0, 0.05, false);

    private final String description;
    private final double configuredFactor;
    private final RetryAfterMode retryAfter;
    private final double retryAfterFactor;
    private final boolean statesRate;
    private final int skewSeconds;
    private final double serverErrorRate;
    private final boolean userLimit;

    SimulatorScenario(String description, double configuredFactor, RetryAfterMode retryAfter, double retryAfterFactor,
                      boolean statesRate, int skewSeconds, double serverErrorRate, boolean userLimit) {
        this.description = description;
        this.configuredFactor = configuredFactor;
        this.retryAfter = retryAfter;
        this.retryAfterFactor = retryAfterFactor;
        this.statesRate = statesRate;
        this.skewSeconds = skewSeconds;
        this.serverErrorRate = serverErrorRate;
        this.userLimit = userLimit;
    }

    public String description() {
        return description;
    }

    /** The rate Pacer is told, for a provider whose true rate is {@code trueRate} segments a minute. */
    public int configuredRate(int trueRate) {
        return (int) Math.round(trueRate * configuredFactor);
    }

    /** The per-user limit, requests per 10 s: about two thirds of what the account's rate allows in messages of two segments. */
    public int userLimit(int trueRate) {
        return userLimit ? Math.max(1, trueRate / 15) : 0;
    }

    public Duration userWindow() {
        return Duration.ofSeconds(10);
    }

    /** The simulator's settings for this scenario, at a true rate of {@code trueRate} segments a minute. */
    public SimulatorProperties settings(int trueRate, int queueCapacity) {
        return new SimulatorProperties(false, null, trueRate, queueCapacity, retryAfter, retryAfterFactor, statesRate,
                Duration.ofSeconds(skewSeconds), serverErrorRate, Duration.ZERO, userLimit(trueRate), userWindow(),
                Duration.ofSeconds(60), retryAfter == RetryAfterMode.NONE ? Duration.ZERO : Duration.ofSeconds(2), 0, Duration.ofHours(24), false, SimulatorProperties.Receipts.none());
    }
}
