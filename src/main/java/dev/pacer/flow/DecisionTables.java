package dev.pacer.flow;

import org.camunda.bpm.dmn.engine.DmnDecisionRuleResult;
import org.camunda.bpm.engine.DecisionService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.repository.DecisionDefinition;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Evaluates Pacer's deployed decision tables ({@code bpmn/*.dmn}), FIRST hit policy, keeping each
 * result: a table is a pure function of its inputs and a deployed decision definition never
 * changes, so each distinct input is evaluated once per definition (FEEL was about a sixth of the
 * CPU of a send). The latest definition is looked up on every call, so a table redeployed from
 * Modeler takes effect at once.
 */
public class DecisionTables {

    private static final int MAX_KEPT = 10_000;

    /** One evaluation's inputs under one decision definition. */
    private record Key(String definitionId, List<Object> inputs) {
    }

    private final RepositoryService repository;
    private final DecisionService decisions;
    private final Map<Key, Object> kept = new ConcurrentHashMap<>();

    public DecisionTables(RepositoryService repository, DecisionService decisions) {
        this.repository = repository;
        this.decisions = decisions;
    }

    /**
     * The outputs of the first rule of the latest {@code decisionKey} that matches {@code inputs}
     * (an output a rule leaves empty is absent); empty when none matches.
     *
     * @param inputs the inputs in a fixed order, names and values alternating
     */
    public Map<String, Object> firstRule(String decisionKey, Object... inputs) {
        return firstRule(decisionKey, outputs -> outputs, inputs);
    }

    /**
     * What {@code read} makes of the outputs of the first rule of the latest {@code decisionKey}
     * that matches {@code inputs}; the reading is kept with the result, so give one table one reading.
     */
    @SuppressWarnings("unchecked")
    public <T> T firstRule(String decisionKey, java.util.function.Function<Map<String, Object>, T> read, Object... inputs) {
        DecisionDefinition definition = repository.createDecisionDefinitionQuery().decisionDefinitionKey(decisionKey)
                .latestVersion().singleResult();
        if (definition == null) {
            throw new IllegalStateException("the decision table " + decisionKey + " is not deployed");
        }
        Key key = new Key(definition.getId(), java.util.Arrays.asList(inputs));
        Object known = kept.get(key);
        if (known != null) {
            return (T) known;
        }
        if (kept.size() >= MAX_KEPT) {
            kept.clear(); // provider error codes and types are few; this only bounds a provider that invents new ones
        }
        Map<String, Object> variables = new HashMap<>();
        for (int i = 0; i + 1 < inputs.length; i += 2) {
            variables.put((String) inputs[i], inputs[i + 1]);
        }
        DmnDecisionRuleResult rule = decisions.evaluateDecisionTableById(definition.getId(), variables).getFirstResult();
        Map<String, Object> found = new HashMap<>();
        if (rule != null) {
            rule.getEntryMap().forEach((name, value) -> {
                if (value != null) {
                    found.put(name, value);
                }
            });
        }
        T result = read.apply(Map.copyOf(found));
        kept.put(key, result);
        return result;
    }
}
