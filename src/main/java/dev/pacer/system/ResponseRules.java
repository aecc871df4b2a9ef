package dev.pacer.system;

import dev.pacer.provider.SendResult;
import org.camunda.bpm.dmn.engine.DmnDecisionTableResult;
import org.camunda.bpm.dmn.engine.DmnDecisionRuleResult;
import org.camunda.bpm.engine.ProcessEngineServices;
import org.camunda.bpm.engine.repository.DecisionDefinition;

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
final class ResponseRules {

    static final String CLASSIFY = "classify-response";

    /**
     * The decision: the response's class, for a 429 the layer of limits it belongs to (or null), and
     * whether the recipient goes on the suppression list (it opted out, or the provider blocks it).
     */
    record Classification(Outcome.Response responseClass, String limitLayer, boolean suppress) {
    }

    private ResponseRules() {
    }

    /** One evaluation's inputs under one decision definition. */
    private record Key(String definitionId, String provider, int status, String errorType, String errorCode, boolean quotaSpent) {
    }

    private static final int MAX_KEPT = 10_000;
    private static final Map<Key, Classification> KEPT = new ConcurrentHashMap<>();

    static Classification classify(ProcessEngineServices engine, String provider, SendResult result) {
        DecisionDefinition definition = engine.getRepositoryService().createDecisionDefinitionQuery().decisionDefinitionKey(CLASSIFY)
                .latestVersion().singleResult();
        if (definition == null) {
            throw new IllegalStateException("the decision table " + CLASSIFY + " is not deployed");
        }
        boolean quotaSpent = result.quota() != null && result.quota().remaining() == 0;
        Key key = new Key(definition.getId(), provider, result.status(), result.errorType(), result.errorCode(), quotaSpent);
        Classification kept = KEPT.get(key);
        if (kept != null) {
            return kept;
        }
        if (KEPT.size() >= MAX_KEPT) {
            KEPT.clear(); // provider error codes and types are few; this only bounds a provider that invents new ones
        }
        Classification c = evaluate(engine, definition.getId(), provider, result, quotaSpent);
        KEPT.put(key, c);
        return c;
    }

    private static Classification evaluate(ProcessEngineServices engine, String definitionId, String provider, SendResult result,
                                           boolean quotaSpent) {
        Map<String, Object> inputs = new HashMap<>();
        inputs.put("provider", provider);
        inputs.put("status", result.status());
        inputs.put("errorType", result.errorType());
        inputs.put("errorCode", result.errorCode());
        inputs.put("quotaSpent", quotaSpent);
        DmnDecisionTableResult table = engine.getDecisionService().evaluateDecisionTableById(definitionId, inputs);
        DmnDecisionRuleResult rule = table.getFirstResult();
        // An output left empty in a rule is absent from its entries, not null.
        Object cls = rule == null ? null : rule.getEntryMap().get("responseClass");
        if (cls == null) {
            // A table edited so that no rule matches: never retry blindly.
            return new Classification(Outcome.Response.PERMANENT, null, false);
        }
        try {
            return new Classification(Outcome.Response.valueOf(cls.toString()), (String) rule.getEntryMap().get("limitLayer"),
                    Boolean.TRUE.equals(rule.getEntryMap().get("suppress")));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(CLASSIFY + " gave the response class '" + cls + "'; expected one of "
                    + java.util.Arrays.toString(Outcome.Response.values()), e);
        }
    }
}
