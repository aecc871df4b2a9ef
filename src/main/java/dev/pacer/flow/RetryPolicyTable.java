package dev.pacer.flow;

import dev.pacer.retry.BackoffPolicy;
import org.camunda.bpm.model.dmn.DmnModelInstance;
import org.camunda.bpm.model.dmn.instance.Decision;
import org.camunda.bpm.model.dmn.instance.DecisionTable;
import org.camunda.bpm.model.dmn.instance.InputEntry;
import org.camunda.bpm.model.dmn.instance.Output;
import org.camunda.bpm.model.dmn.instance.OutputEntry;
import org.camunda.bpm.model.dmn.instance.Rule;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The retry policies of the decision table {@code retry-policies} ({@code bpmn/response-rules.dmn}),
 * read from the table's cells as they are written: a row per policy, its name a string in the
 * first column, its outputs literals. The table is read, never evaluated, so it is checked whole
 * when it is deployed.
 */
public final class RetryPolicyTable {

    /** The outputs of a row, by name. */
    public static final List<String> OUTPUTS = List.of("initial", "multiplier", "max", "maxAttempts", "jitter");

    private RetryPolicyTable() {
    }

    /** The policy names the decision {@code retry-policy} gives, each with the rule that gives it. */
    public static Map<String, String> chosen(DmnModelInstance model) {
        Map<String, String> byRule = new LinkedHashMap<>();
        Decision decision = model.getModelElementById(Processes.RETRY_POLICY);
        if (decision == null || !(decision.getExpression() instanceof DecisionTable table)) {
            return byRule;
        }
        int column = -1;
        List<Output> outputs = new ArrayList<>(table.getOutputs());
        for (int i = 0; i < outputs.size(); i++) {
            if (MessageVariables.RETRY_POLICY.name().equals(outputs.get(i).getName())) {
                column = i;
            }
        }
        if (column < 0) {
            throw new IllegalArgumentException(describe(decision) + ": no output named " + MessageVariables.RETRY_POLICY.name());
        }
        for (Rule rule : table.getRules()) {
            List<OutputEntry> entries = new ArrayList<>(rule.getOutputEntries());
            String text = column < entries.size() ? entries.get(column).getTextContent() : null;
            byRule.put(rule.getId(), text == null ? "" : text.strip());
        }
        return byRule;
    }

    /**
     * The policies of {@code model}'s table {@code retry-policies} by name; empty when the model has
     * no such table.
     *
     * @throws IllegalArgumentException naming the decision, the rule and the bad value
     */
    public static Optional<Map<String, BackoffPolicy>> read(DmnModelInstance model) {
        Decision decision = model.getModelElementById(Processes.RETRY_POLICIES);
        if (decision == null) {
            return Optional.empty();
        }
        if (!(decision.getExpression() instanceof DecisionTable table)) {
            throw new IllegalArgumentException(describe(decision) + ": not a decision table");
        }
        List<String> names = table.getOutputs().stream().map(Output::getName).toList();
        if (table.getInputs().size() != 1 || !names.equals(OUTPUTS)) {
            throw new IllegalArgumentException(describe(decision) + ": needs one input (the policy's name) and the outputs "
                    + OUTPUTS + ", has " + table.getInputs().size() + " input(s) and " + names);
        }
        Map<String, BackoffPolicy> policies = new LinkedHashMap<>();
        for (Rule rule : table.getRules()) {
            String where = describe(decision) + ", rule " + rule.getId();
            List<InputEntry> in = new ArrayList<>(rule.getInputEntries());
            String name = literal(where, "policy", in.isEmpty() ? null : in.get(0).getTextContent(), true);
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException(where + ": the policy's name is missing (a string such as \"default\")");
            }
            where = where + " (policy " + name + ")";
            if (policies.containsKey(name)) {
                throw new IllegalArgumentException(where + ": a second row for the same policy");
            }
            List<OutputEntry> out = new ArrayList<>(rule.getOutputEntries());
            Map<String, String> cells = new HashMap<>();
            for (int i = 0; i < OUTPUTS.size(); i++) {
                cells.put(OUTPUTS.get(i), literal(where, OUTPUTS.get(i), i < out.size() ? out.get(i).getTextContent() : null,
                        i != 1 && i != 3));
            }
            try {
                policies.put(name, BackoffPolicy.parse(cells.get("initial"), cells.get("multiplier"), cells.get("max"),
                        cells.get("maxAttempts"), cells.get("jitter")));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
        }
        return Optional.of(Map.copyOf(policies));
    }

    /** A decision as a message names it: its id and its name. */
    public static String describe(Decision decision) {
        return "decision " + decision.getId() + (decision.getName() == null ? "" : " (" + decision.getName() + ")");
    }

    /** A cell's literal: a string in double quotes when {@code string}, else a number as written. */
    static String literal(String where, String column, String text, boolean string) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty()) {
            return null;
        }
        if (string) {
            if (t.length() < 2 || !t.startsWith("\"") || !t.endsWith("\"") || t.substring(1, t.length() - 1).contains("\"")) {
                throw new IllegalArgumentException(where + ": " + column + " must be a string in double quotes, is " + t);
            }
            return t.substring(1, t.length() - 1);
        }
        if (!t.matches("-?\\d+(\\.\\d+)?")) {
            throw new IllegalArgumentException(where + ": " + column + " must be a number, is " + t);
        }
        return t;
    }
}
