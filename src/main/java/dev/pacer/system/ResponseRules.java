package dev.pacer.system;

import dev.pacer.provider.SendResult;
import org.camunda.bpm.dmn.engine.DmnDecisionTableResult;
import org.camunda.bpm.dmn.engine.DmnDecisionRuleResult;
import org.camunda.bpm.engine.ProcessEngineServices;

import java.util.HashMap;
import java.util.Map;

/**
 * Classifies a provider response with the deployed decision table {@code classify-response}
 * ({@code bpmn/response-rules.dmn}), so that which response is accepted, rate-limited, transient
 * or permanent is a rule one edits in Modeler, not code.
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

    static Classification classify(ProcessEngineServices engine, String provider, SendResult result) {
        Map<String, Object> inputs = new HashMap<>();
        inputs.put("provider", provider);
        inputs.put("status", result.status());
        inputs.put("errorType", result.errorType());
        inputs.put("errorCode", result.errorCode());
        inputs.put("quotaSpent", result.quota() != null && result.quota().remaining() == 0);
        DmnDecisionTableResult table = engine.getDecisionService().evaluateDecisionTableByKey(CLASSIFY, inputs);
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
