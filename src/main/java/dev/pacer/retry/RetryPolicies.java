package dev.pacer.retry;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The back-off policies by name, as the retry policy decision ({@code retry-policy}) names them. */
public final class RetryPolicies {

    /** The policy applied when the decision names none. */
    public static final String DEFAULT = "default";

    /** The policies used when no {@code retry-policies} table is deployed (the shipped table has the same rows). */
    public static final Map<String, BackoffPolicy> BUILT_IN = Map.of(
            DEFAULT, new BackoffPolicy(Duration.ofSeconds(1), 2, Duration.ofSeconds(60), 5, 0.5, BackoffPolicy.Jitter.FULL),
            "network", new BackoffPolicy(Duration.ofSeconds(2), 2, Duration.ofSeconds(60), 5, 0.5, BackoffPolicy.Jitter.DECORRELATED),
            "carrier", new BackoffPolicy(Duration.ofSeconds(30), 2, Duration.ofMinutes(10), 4, 0.5, BackoffPolicy.Jitter.DECORRELATED));

    private final Map<String, BackoffPolicy> policies;

    public RetryPolicies(Map<String, BackoffPolicy> policies) {
        if (!policies.containsKey(DEFAULT)) {
            throw new IllegalArgumentException("a retry policy named '" + DEFAULT + "' is required");
        }
        this.policies = Map.copyOf(policies);
    }

    /**
     * The policies of a table ({@link #BUILT_IN} when there is none) with those of the settings
     * over them: a policy in the settings replaces the table's of the same name and adds the names
     * the table lacks.
     */
    public static RetryPolicies of(Map<String, BackoffPolicy> table, Map<String, BackoffPolicy> settings) {
        Map<String, BackoffPolicy> all = new LinkedHashMap<>(table == null ? BUILT_IN : table);
        all.putAll(settings);
        return new RetryPolicies(all);
    }

    /** The names of the policies. */
    public Set<String> names() {
        return new TreeMap<>(policies).keySet();
    }

    /** The policy {@code name} ({@link #DEFAULT} for null); unknown names are refused, naming those configured. */
    public BackoffPolicy policy(String name) {
        BackoffPolicy p = policies.get(name == null ? DEFAULT : name);
        if (p == null) {
            throw new IllegalArgumentException("retry policy '" + name + "' is not configured (configured: "
                    + new TreeMap<>(policies).keySet() + ")");
        }
        return p;
    }
}
