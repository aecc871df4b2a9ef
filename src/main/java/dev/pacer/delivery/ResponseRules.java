package dev.pacer.delivery;

import dev.pacer.flow.DecisionTables;
import dev.pacer.flow.Processes;
import dev.pacer.flow.ResponseClass;
import dev.pacer.provider.SendResult;
import org.camunda.bpm.engine.DecisionService;
import org.camunda.bpm.engine.RepositoryService;

import java.util.Arrays;
import java.util.Map;

/**
 * Classifies a provider response with the deployed decision table {@code classify-response}
 * ({@code bpmn/response-rules.dmn}), so that which response is accepted, rate-limited, transient
 * or permanent is a rule one edits in Modeler, not code.
 *
 * <p>Each distinct response is evaluated once per deployed table ({@link DecisionTables}).
 */
public class ResponseRules {

    /**
     * The decision: the response's class, for a 429 the layer of limits it belongs to (or null), and
     * whether the recipient goes on the suppression list (it opted out, or the provider blocks it).
     */
    public record Classification(ResponseClass responseClass, String limitLayer, boolean suppress) {
    }

    private final DecisionTables tables;

    public ResponseRules(RepositoryService repository, DecisionService decisions) {
        this.tables = new DecisionTables(repository, decisions);
    }

    /** @param providerType the provider's type ({@code bandwidth}), which the table's provider column matches */
    public Classification classify(String providerType, SendResult result) {
        return tables.firstRule(Processes.CLASSIFY_RESPONSE, ResponseRules::read, "provider", providerType, "status", result.status(),
                "errorType", result.errorType(), "errorCode", result.errorCode(), "quotaSpent", result.quotaSpent());
    }

    private static Classification read(Map<String, Object> rule) {
        Object cls = rule.get("responseClass");
        if (cls == null) {
            // A table edited so that no rule matches: never retry blindly.
            return new Classification(ResponseClass.PERMANENT, null, false);
        }
        try {
            return new Classification(ResponseClass.valueOf(cls.toString()), (String) rule.get("limitLayer"),
                    Boolean.TRUE.equals(rule.get("suppress")));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(Processes.CLASSIFY_RESPONSE + " gave the response class '" + cls + "'; expected one of "
                    + Arrays.toString(ResponseClass.values()), e);
        }
    }
}
