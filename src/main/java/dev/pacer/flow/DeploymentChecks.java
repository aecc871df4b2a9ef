package dev.pacer.flow;

import dev.pacer.retry.BackoffPolicy;
import dev.pacer.retry.RetryPolicies;
import org.camunda.bpm.engine.BadUserRequestException;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.persistence.deploy.Deployer;
import org.camunda.bpm.engine.impl.persistence.entity.DeploymentEntity;
import org.camunda.bpm.engine.impl.persistence.entity.ResourceEntity;
import org.camunda.bpm.engine.repository.DecisionDefinition;
import org.camunda.bpm.model.dmn.Dmn;
import org.camunda.bpm.model.dmn.DmnModelInstance;
import org.camunda.bpm.model.dmn.instance.Decision;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Refuses at deployment, before it commits, a model or a table that names what does not exist: an
 * expression reading a bean the models may not reach ({@link Processes#BEANS}) or a variable the flow
 * contract does not know, a decision that is not deployed, a provider account that is not configured,
 * a retry policy that is neither in the table {@code retry-policies} nor in the settings, and a row
 * of that table with a bad value. The message names the resource, the element (id and name) and the
 * bad value. A model that deploys has no such name left to fail on at send time.
 */
public final class DeploymentChecks implements Deployer {

    private static final Pattern EXPRESSION = Pattern.compile("[$#]\\{(.*?)}", Pattern.DOTALL);
    private static final Pattern STRING = Pattern.compile("'(?:[^'\\\\]|\\\\.)*'|\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![.\\w])([A-Za-z_]\\w*)");
    private static final Set<String> KEYWORDS = Set.of("true", "false", "null", "empty", "not", "and", "or", "eq", "ne", "lt", "gt",
            "le", "ge", "div", "mod", "instanceof");
    private static final String BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL";
    private static final String CAMUNDA = "http://camunda.org/schema/1.0/bpmn";

    /** The names an expression in a model may read: the beans, the typed variables of both flows, the execution. */
    public static final Set<String> NAMES = Stream.of(Processes.BEANS, variables(MessageVariables.class), variables(CampaignVariables.class),
            Set.of("execution")).flatMap(Set::stream).collect(Collectors.toUnmodifiableSet());

    private final Supplier<Set<String>> accounts;
    private final Supplier<Map<String, BackoffPolicy>> settings;

    /**
     * @param accounts the provider accounts configured, asked at each deployment
     * @param settings the retry policies of the settings ({@code pacer.retry.policies}), asked at each deployment
     */
    public DeploymentChecks(Supplier<Set<String>> accounts, Supplier<Map<String, BackoffPolicy>> settings) {
        this.accounts = accounts;
        this.settings = settings;
    }

    /** The engine plugin that runs these checks before every deployment's models are deployed. */
    public static AbstractProcessEnginePlugin plugin(Supplier<Set<String>> accounts, Supplier<Map<String, BackoffPolicy>> settings) {
        return new AbstractProcessEnginePlugin() {
            @Override
            public void preInit(ProcessEngineConfigurationImpl configuration) {
                List<Deployer> pre = new ArrayList<>();
                if (configuration.getCustomPreDeployers() != null) {
                    pre.addAll(configuration.getCustomPreDeployers());
                }
                pre.add(new DeploymentChecks(accounts, settings));
                configuration.setCustomPreDeployers(pre);
            }
        };
    }

    @Override
    public void deploy(DeploymentEntity deployment) {
        if (!deployment.isNew()) {
            return; // a deployment read back into the cache was checked when it was made
        }
        RepositoryService repository = Context.getProcessEngineConfiguration().getRepositoryService();
        Map<String, ResourceEntity> resources = deployment.getResources() == null ? Map.of() : deployment.getResources();
        List<String> problems = new ArrayList<>();
        Map<String, DmnModelInstance> tables = new LinkedHashMap<>();
        Set<String> decisions = new HashSet<>();
        resources.forEach((name, resource) -> {
            if (name.endsWith(".dmn") || name.endsWith(".dmn11.xml")) {
                try {
                    DmnModelInstance model = Dmn.readModelFromStream(new ByteArrayInputStream(resource.getBytes()));
                    tables.put(name, model);
                    model.getModelElementsByType(Decision.class).forEach(d -> decisions.add(d.getId()));
                } catch (RuntimeException e) {
                    problems.add(name + ": not a DMN model Camunda can read: " + e.getMessage());
                }
            }
        });
        tables.forEach((name, model) -> checkInputs(name, model, problems));
        Set<String> policies = policies(tables, repository, problems);
        checkRules(tables, repository, policies, problems);
        resources.forEach((name, resource) -> {
            if (name.endsWith(".bpmn") || name.endsWith(".bpmn20.xml")) {
                checkModel(name, resource.getBytes(), policies, decisions, repository, problems);
            }
        });
        if (!problems.isEmpty()) {
            throw new ModelRefusedException("deployment refused: " + String.join("; ", problems));
        }
    }

    /** The policy names after this deployment: its table's (or the one deployed, or the built-in ones) and the settings'. */
    private Set<String> policies(Map<String, DmnModelInstance> tables, RepositoryService repository, List<String> problems) {
        Map<String, BackoffPolicy> table = null;
        String where = null;
        for (Map.Entry<String, DmnModelInstance> e : tables.entrySet()) {
            try {
                Optional<Map<String, BackoffPolicy>> read = RetryPolicyTable.read(e.getValue());
                if (read.isPresent()) {
                    table = read.get();
                    where = e.getKey();
                }
            } catch (IllegalArgumentException bad) {
                problems.add(e.getKey() + ": " + bad.getMessage());
                return Set.of();
            }
        }
        if (table == null) {
            DecisionDefinition deployed = latest(repository, Processes.RETRY_POLICIES);
            if (deployed != null) {
                table = RetryPolicyTable.read(repository.getDmnModelInstance(deployed.getId())).orElse(null);
            }
        }
        Set<String> names = new TreeSet<>((table == null ? RetryPolicies.BUILT_IN : table).keySet());
        names.addAll(settings.get().keySet());
        if (!names.contains(RetryPolicies.DEFAULT)) {
            problems.add((where == null ? "" : where + ": ") + "decision " + Processes.RETRY_POLICIES + " has no row for the policy '"
                    + RetryPolicies.DEFAULT + "' (used when the rules name none), nor has pacer.retry.policies");
        }
        return names;
    }

    /** Every policy the decision {@code retry-policy} names, this deployment's or the one deployed, is one there is. */
    private static void checkRules(Map<String, DmnModelInstance> tables, RepositoryService repository, Set<String> policies,
                                   List<String> problems) {
        if (policies.isEmpty()) {
            return; // the table itself was refused
        }
        Map<String, DmnModelInstance> rules = new LinkedHashMap<>();
        tables.forEach((name, model) -> {
            if (model.getModelElementById(Processes.RETRY_POLICY) != null) {
                rules.put(name, model);
            }
        });
        if (rules.isEmpty()) {
            DecisionDefinition deployed = latest(repository, Processes.RETRY_POLICY);
            if (deployed != null) {
                rules.put("the deployed " + deployed.getResourceName(), repository.getDmnModelInstance(deployed.getId()));
            }
        }
        rules.forEach((name, model) -> {
            Decision decision = model.getModelElementById(Processes.RETRY_POLICY);
            String where = name + ": " + RetryPolicyTable.describe(decision);
            try {
                RetryPolicyTable.chosen(model).forEach((rule, text) -> {
                    String policy = RetryPolicyTable.literal(where + ", rule " + rule, MessageVariables.RETRY_POLICY.name(), text, true);
                    if (policy != null && !policies.contains(policy)) {
                        problems.add(where + ", rule " + rule + ": retryPolicy '" + policy + "' is not a retry policy (known: "
                                + String.join(", ", new TreeSet<>(policies)) + ")");
                    }
                });
            } catch (IllegalArgumentException bad) {
                problems.add(bad.getMessage().startsWith(name) ? bad.getMessage() : name + ": " + bad.getMessage());
            }
        });
    }

    /**
     * Every input of a decision that is a plain name reads what it is evaluated with: the inputs Java
     * gives its own decisions ({@link Processes#DECISION_INPUTS}), else the flow's variables.
     * Inputs written as longer expressions are left to the engine.
     */
    private static void checkInputs(String resource, DmnModelInstance model, List<String> problems) {
        for (Decision decision : model.getModelElementsByType(Decision.class)) {
            if (!(decision.getExpression() instanceof org.camunda.bpm.model.dmn.instance.DecisionTable table)) {
                continue;
            }
            Set<String> given = Processes.DECISION_INPUTS.getOrDefault(decision.getId(), NAMES);
            for (org.camunda.bpm.model.dmn.instance.Input input : table.getInputs()) {
                String text = input.getInputExpression() == null || input.getInputExpression().getText() == null ? ""
                        : input.getInputExpression().getText().getTextContent().strip();
                if (text.matches("[A-Za-z_]\\w*") && !given.contains(text)) {
                    problems.add(resource + ": " + RetryPolicyTable.describe(decision) + ", input " + input.getId()
                            + (input.getLabel() == null ? "" : " (" + input.getLabel() + ")") + ": reads '" + text + "', which "
                            + (Processes.DECISION_INPUTS.containsKey(decision.getId())
                            ? "Pacer does not give this decision (it gives: " + String.join(", ", new TreeSet<>(given)) + ")"
                            : "is not a variable of the flow (dev.pacer.flow)"));
                }
            }
        }
    }

    private void checkModel(String resource, byte[] bytes, Set<String> policies, Set<String> decisions, RepositoryService repository,
                            List<String> problems) {
        Document document;
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            document = factory.newDocumentBuilder().parse(new ByteArrayInputStream(bytes));
        } catch (Exception e) {
            problems.add(resource + ": not XML: " + e.getMessage());
            return;
        }
        Set<String> names = new HashSet<>(NAMES);
        // variables the model itself sets: a business rule task's result, an output mapping
        for (Element e : elements(document.getDocumentElement())) {
            String result = e.getAttributeNS(CAMUNDA, "resultVariable");
            if (!result.isBlank()) {
                names.add(result.strip());
            }
            if (CAMUNDA.equals(e.getNamespaceURI()) && "outputParameter".equals(e.getLocalName())) {
                names.add(e.getAttribute("name"));
            }
        }
        Set<String> accountNames = null;
        for (Element e : elements(document.getDocumentElement())) {
            // a script's own syntax may use ${...} (Groovy strings); documentation is prose
            if ("BPMNDiagram".equals(e.getLocalName()) || "documentation".equals(e.getLocalName()) || "script".equals(e.getLocalName())) {
                continue;
            }
            NamedNodeMap attributes = e.getAttributes();
            for (int i = 0; i < attributes.getLength(); i++) {
                Attr a = (Attr) attributes.item(i);
                checkExpression(resource, e, a.getName() + " " + a.getValue(), a.getValue(), names, problems);
            }
            if (!hasChildElements(e)) {
                checkExpression(resource, e, e.getLocalName() + " " + e.getTextContent().strip(), e.getTextContent(), names, problems);
            }
            boolean property = CAMUNDA.equals(e.getNamespaceURI()) && "property".equals(e.getLocalName());
            // an input parameter of the same name is the variable the step reads: a literal one is checked alike
            boolean input = CAMUNDA.equals(e.getNamespaceURI()) && "inputParameter".equals(e.getLocalName()) && !hasChildElements(e)
                    && !e.getTextContent().contains("{");
            if (property || input) {
                String name = e.getAttribute("name");
                String value = (property ? e.getAttribute("value") : e.getTextContent()).strip();
                if (value.isEmpty()) {
                    continue;
                }
                if (StepProperties.PROVIDER.equals(name) || StepProperties.FALLBACK_PROVIDER.equals(name)) {
                    if (accountNames == null) {
                        accountNames = new TreeSet<>(accounts.get());
                    }
                    if (!accountNames.contains(value)) {
                        problems.add(resource + ": " + owner(e) + ": " + name + " '" + value + "' is not a provider account (configured: "
                                + String.join(", ", accountNames) + ")");
                    }
                } else if (StepProperties.RETRY_POLICY.equals(name) && !policies.isEmpty() && !policies.contains(value)) {
                    problems.add(resource + ": " + owner(e) + ": retryPolicy '" + value + "' is not a retry policy (known: "
                            + String.join(", ", new TreeSet<>(policies)) + ")");
                }
            }
            String decisionRef = e.getAttributeNS(CAMUNDA, "decisionRef").strip();
            if (!decisionRef.isEmpty() && !decisionRef.contains("{") && !decisions.contains(decisionRef)
                    && latest(repository, decisionRef) == null) {
                problems.add(resource + ": " + owner(e) + ": decisionRef '" + decisionRef + "' is not a deployed decision");
            }
        }
    }

    private static void checkExpression(String resource, Element e, String shown, String text, Set<String> names, List<String> problems) {
        if (text == null || !(text.contains("${") || text.contains("#{"))) {
            return;
        }
        Matcher m = EXPRESSION.matcher(text);
        while (m.find()) {
            Matcher id = IDENTIFIER.matcher(STRING.matcher(m.group(1)).replaceAll("''"));
            while (id.find()) {
                String name = id.group(1);
                if (!KEYWORDS.contains(name) && !names.contains(name)) {
                    problems.add(resource + ": " + owner(e) + ": " + shown.strip() + " reads '" + name
                            + "', which is neither a variable of the flow (dev.pacer.flow) nor a bean the models may name");
                }
            }
        }
    }

    /** The element a message names: the nearest one with an id (an event definition's is its event's), as "id (name)". */
    static String owner(Element e) {
        Node n = e;
        while (n instanceof Element el) {
            String id = el.getAttribute("id");
            if (!id.isEmpty() && BPMN.equals(el.getNamespaceURI()) && !el.getLocalName().endsWith("EventDefinition")) {
                String name = el.getAttribute("name");
                return el.getLocalName() + " " + id + (name.isBlank() ? "" : " (" + name + ")");
            }
            n = el.getParentNode();
        }
        return "definitions";
    }

    private static List<Element> elements(Element root) {
        List<Element> all = new ArrayList<>();
        all.add(root);
        for (int i = 0; i < all.size(); i++) {
            for (Node c = all.get(i).getFirstChild(); c != null; c = c.getNextSibling()) {
                if (c instanceof Element child) {
                    all.add(child);
                }
            }
        }
        return all;
    }

    private static boolean hasChildElements(Element e) {
        for (Node c = e.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c instanceof Element) {
                return true;
            }
        }
        return false;
    }

    private static DecisionDefinition latest(RepositoryService repository, String key) {
        return repository.createDecisionDefinitionQuery().decisionDefinitionKey(key).latestVersion().singleResult();
    }

    private static Set<String> variables(Class<?> holder) {
        return Arrays.stream(holder.getFields()).filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == Variable.class)
                .map(f -> {
                    try {
                        return ((Variable<?>) f.get(null)).name();
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                }).collect(Collectors.toSet());
    }

    /**
     * A deployment refused by these checks; its message names each element and bad value. A bad
     * request to the REST API (400 to Modeler's "deploy"), not a failure of the server.
     */
    public static final class ModelRefusedException extends BadUserRequestException {
        public ModelRefusedException(String message) {
            super(message);
        }
    }
}
