package dev.pacer.retry;

import java.util.Map;
import java.util.TreeMap;

/** The back-off policies by name, as the retry policy decision ({@code retry-policy}) names them. */
public final class RetryPolicies {

    /** The policy applied when the decision names none. */
    public static final String DEFAULT = "default";

    private final Map<String, BackoffPolicy> policies;

    public RetryPolicies(Map<String, BackoffPolicy> policies) {
        if (!policies.containsKey(DEFAULT)) {
            throw new IllegalArgumentException("a retry policy named '" + DEFAULT + "' is required");
        }
        this.policies = Map.copyOf(policies);
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
