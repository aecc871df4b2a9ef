package dev.pacer.delivery;

import dev.pacer.flow.Processes;
import dev.pacer.flow.ResponseClass;
import dev.pacer.provider.SendResult;
import org.camunda.bpm.dmn.engine.DmnDecisionRuleResult;
import org.camunda.bpm.dmn.engine.DmnDecisionTableResult;
import org.camunda.bpm.engine.DecisionService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.repository.DecisionDefinition;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Classifies a provider response with the deployed decision table {@code classify-response}
 * ({@code bpmn/response-rules.dmn}), so that which response is accepted, rate-limited, transient
 * or permanent is a rule one edits in Modeler, not code.
 *
 * <p>The table is a pure function of its inputs, and a deployed decision definition never changes,
 * so each distinct input is evaluated once per definition and the result kept: FEEL evaluation was
 * about a sixth of the CPU of a send. The latest definition is looked up on every call, so a table
 * redeployed from Modeler takes effect at once.
 */
public class ResponseRules {

    /**
     * The decision: the response's class, for a 429 the layer of limits it belongs to (or null), and
     * whether the recipient goes on the suppression list (it opted out, or the provider blocks it).
     */
    public record Classification(ResponseClass responseClass, String limitLayer, boolean suppress) {
    }

    /** One evaluation's inputs under one decision definition. */
    private record Key(String definitionId, String provider, int status, String errorType, String errorCode, boolean quotaSpent) {
    }

    private static final int MAX_KEPT = 10_000;

    private final RepositoryService repository;
    private final DecisionService decisions;
    private final Map<Key, Classification> kept = new ConcurrentHashMap<>();

    public ResponseRules(RepositoryService repository, DecisionService decisions) {
        this.repository = repository;
        this.decisions = decisions;
    }

    /** @param providerType the provider's type ({@code bandwidth}), which the table's provider column matches */
    public Classification classify(String providerType, SendResult result) {
        DecisionDefinition definition = repository.createDecisionDefinitionQuery().decisionDefinitionKey(Processes.CLASSIFY_RESPONSE)
                .latestVersion().singleResult();
        if (definition == null) {
            throw new IllegalStateException("the decision table " + Processes.CLASSIFY_RESPONSE + " is not deployed");
        }
        Key key = new Key(definition.getId(), providerType, result.status(), result.errorType(), result.errorCode(), result.quotaSpent());
        Classification c = kept.get(key);
        if (c != null) {
            return c;
        }
        if (kept.size() >= MAX_KEPT) {
            kept.clear(); // provider error codes and types are few; this only bounds a provider that invents new ones
        }
        c = evaluate(definition.getId(), key);
        kept.put(key, c);
        return c;
    }

    private Classification evaluate(String definitionId, Key key) {
        Map<String, Object> inputs = new HashMap<>();
        inputs.put("provider", key.provider());
        inputs.put("status", key.status());
        inputs.put("errorType", key.errorType());
        inputs.put("errorCode", key.errorCode());
        inputs.put("quotaSpent", key.quotaSpent());
        DmnDecisionTableResult table = decisions.evaluateDecisionTableById(definitionId, inputs);
        DmnDecisionRuleResult rule = table.getFirstResult();
        // An output left empty in a rule is absent from its entries, not null.
        Object cls = rule == null ? null : rule.getEntryMap().get("responseClass");
        if (cls == null) {
            // A table edited so that no rule matches: never retry blindly.
            return new Classification(ResponseClass.PERMANENT, null, false);
        }
        try {
            return new Classification(ResponseClass.valueOf(cls.toString()), (String) rule.getEntryMap().get("limitLayer"),
                    Boolean.TRUE.equals(rule.getEntryMap().get("suppress")));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(Processes.CLASSIFY_RESPONSE + " gave the response class '" + cls + "'; expected one of "
                    + Arrays.toString(ResponseClass.values()), e);
        }
    }
}
