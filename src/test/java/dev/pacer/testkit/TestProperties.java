package dev.pacer.testkit;

import dev.pacer.flow.OnDoubt;
import dev.pacer.provider.ProviderProperties;
import dev.pacer.provider.SimulatorProperties;
import dev.pacer.retry.BackoffPolicy;
import dev.pacer.system.PacerProperties;

import java.time.Duration;
import java.util.Map;

/** Pacer settings for tests that build the flow's delegates by hand: one Bandwidth account, named fields changed by name. */
public final class TestProperties {

    private String baseUrl;
    private int segmentsPerMinute;
    private int burst = 1;
    private int maxInFlight = 4;
    private Duration rateLimitBudget = Duration.ofMinutes(30);
    private SimulatorProperties simulator = SimulatorProperties.wellBehaved(600, 20);
    private final Map<String, ProviderProperties> others = new java.util.LinkedHashMap<>();
    private boolean receipts;
    private double filteredPauseRatio = 0.02;
    private int filteredMinimum = 100;
    private long dailyQuota;

    private TestProperties(String baseUrl, int segmentsPerMinute) {
        this.baseUrl = baseUrl;
        this.segmentsPerMinute = segmentsPerMinute;
    }

    /** One Bandwidth account at {@code baseUrl} (account {@code acct}, user {@code user}); transient failures as {@link #retry}. */
    public static TestProperties bandwidth(String baseUrl, int segmentsPerMinute) {
        return new TestProperties(baseUrl, segmentsPerMinute);
    }

    /** One Bandwidth account at {@code baseUrl}, with the defaults of {@link #bandwidth}. */
    public static PacerProperties withProvider(String baseUrl, int segmentsPerMinute) {
        return bandwidth(baseUrl, segmentsPerMinute).build();
    }

    public TestProperties burst(int burst) {
        this.burst = burst;
        return this;
    }

    public TestProperties maxInFlight(int maxInFlight) {
        this.maxInFlight = maxInFlight;
        return this;
    }

    public TestProperties rateLimitBudget(Duration budget) {
        this.rateLimitBudget = budget;
        return this;
    }

    /** Messages wait for their receipts ({@code pacer.receipts.enabled}). */
    public TestProperties receipts() {
        this.receipts = true;
        return this;
    }

    /** Messages wait for their receipts, and a campaign pauses past {@code ratio} filtered of at least {@code minimum} receipts. */
    public TestProperties receipts(double ratio, int minimum) {
        this.filteredPauseRatio = ratio;
        this.filteredMinimum = minimum;
        return receipts();
    }

    /** The Bandwidth account sends at most {@code quota} segments a day ({@code daily-quota}). */
    public TestProperties dailyQuota(long quota) {
        this.dailyQuota = quota;
        return this;
    }

    /** Another account beside the Bandwidth one. */
    public TestProperties account(String name, ProviderProperties account) {
        others.put(name, account);
        return this;
    }

    public PacerProperties build() {
        Map<String, ProviderProperties> accounts = new java.util.LinkedHashMap<>(others);
        accounts.put("bandwidth", new ProviderProperties(null, baseUrl, "acct", "app", "user", "secret", segmentsPerMinute, burst,
                maxInFlight, ProviderProperties.Layer.none(), ProviderProperties.Layer.none(), "user", null, null, null, 0, null, null, null, 0,
                null, null, "America/Los_Angeles", dailyQuota));
        return new PacerProperties(
                accounts,
                retry(rateLimitBudget),
                new PacerProperties.Adaptive(0.7, 0.05, Duration.ofSeconds(5), 0.05),
                new PacerProperties.Dispatch(100, 50, Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ZERO, 0.1,
                        Duration.ofDays(30), Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofMillis(250), true, Duration.ofSeconds(1), 4),
                simulator,
                new PacerProperties.Suppression(null),
                new PacerProperties.Circuit(5, Duration.ofSeconds(2), Duration.ofSeconds(60)),
                new PacerProperties.History(false),
                new PacerProperties.Doubt(Duration.ofSeconds(30), 3, OnDoubt.SKIP),
                new PacerProperties.Cluster(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMillis(50)),
                null, null, new PacerProperties.Webhook(null, null, 50, 5, 1000),
                new PacerProperties.Receipts(receipts, Duration.ofHours(2), filteredPauseRatio, filteredMinimum, Duration.ofMinutes(10), Duration.ofSeconds(60), "HELP text"));
    }

    /** Transient failures back off 2 s, 4 s... without jitter, 3 attempts. */
    public static PacerProperties.Retry retry(Duration rateLimitBudget) {
        return new PacerProperties.Retry(
                Map.of("default", new PacerProperties.Policy(Duration.ofSeconds(2), 2, Duration.ofSeconds(30), 3, BackoffPolicy.Jitter.NONE)),
                Duration.ofSeconds(1), Duration.ZERO, Duration.ofMinutes(15), Duration.ZERO, rateLimitBudget);
    }
}
