package dev.pacer.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.camunda.bpm.model.bpmn.instance.BaseElement;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperty;
import org.camunda.bpm.model.dmn.Dmn;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The element templates Modeler offers for {@code bpmn/} ({@code bpmn/.camunda/element-templates})
 * have the structure the Camunda 7 element-template schema requires, are applied in
 * {@code delivery.bpmn} at their version, and bind what the model carries and Java reads
 * ({@link StepProperties}), with no choice a deployment of the shipped setup would refuse.
 */
class ElementTemplatesTest {

    private static final Path TEMPLATES = Path.of("bpmn/.camunda/element-templates/pacer-delivery.json");
    private static final String SCHEMA = "https://unpkg.com/@camunda/element-templates-json-schema/resources/schema.json";
    private static final Set<String> TYPES = Set.of("String", "Text", "Boolean", "Dropdown", "Hidden");
    private static final Set<String> BINDINGS = Set.of("property", "camunda:property", "camunda:inputParameter", "camunda:outputParameter",
            "camunda:in", "camunda:out", "camunda:in:businessKey", "camunda:executionListener", "camunda:field", "camunda:errorEventDefinition");
    private static final BpmnModelInstance DELIVERY = Bpmn.readModelFromFile(Path.of("bpmn/delivery.bpmn").toFile());
    private static final String CAMUNDA = "http://camunda.org/schema/1.0/bpmn";

    private static JsonNode templates() throws IOException {
        return new ObjectMapper().readTree(Files.readString(TEMPLATES));
    }

    @Test
    void shouldHaveTheStructureOfTheCamunda7ElementTemplateSchema() throws IOException {
        JsonNode all = templates();
        assertThat(all.isArray()).as("a template file is a JSON array").isTrue();
        Set<String> ids = new HashSet<>();
        for (JsonNode t : all) {
            String id = t.path("id").asText();
            assertThat(t.path("$schema").asText()).as(id).isEqualTo(SCHEMA);
            assertThat(t.path("name").asText()).as(id + " name").isNotBlank();
            assertThat(ids.add(id)).as("unique id " + id).isTrue();
            assertThat(t.path("version").isInt()).as(id + " version").isTrue();
            assertThat(t.path("appliesTo").isArray() && !t.path("appliesTo").isEmpty()).as(id + " appliesTo").isTrue();
            t.path("appliesTo").forEach(a -> assertThat(a.asText()).matches("bpmn:\\w+"));
            assertThat(t.path("properties").isArray()).as(id + " properties").isTrue();
            for (JsonNode p : t.path("properties")) {
                String where = id + " " + p.path("label").asText(p.path("binding").path("name").asText());
                assertThat(p.path("type").asText()).as(where + " type").isIn(TYPES);
                assertThat(p.path("binding").path("type").asText()).as(where + " binding").isIn(BINDINGS);
                assertThat(p.path("binding").path("name").asText()).as(where + " binding name").isNotBlank();
                if (p.path("type").asText().equals("Dropdown")) {
                    assertThat(p.path("choices").isArray() && !p.path("choices").isEmpty()).as(where + " choices").isTrue();
                    p.path("choices").forEach(c -> assertThat(c.has("name") && c.has("value")).as(where + " choice " + c).isTrue());
                    List<String> values = values(p);
                    assertThat(values).as(where + " its default is a choice").contains(p.path("value").asText());
                }
                if (p.path("type").asText().equals("Hidden")) {
                    assertThat(p.has("value")).as(where + " a hidden property has a value").isTrue();
                }
            }
        }
    }

    @Test
    void shouldBeAppliedToTheDeliveryStepsJavaReadsAtTheirVersion() throws IOException {
        Map<String, String> applied = Map.of("dev.pacer.throttle", Activities.THROTTLE, "dev.pacer.send", Activities.SEND,
                "dev.pacer.retry", Activities.SCHEDULE_RETRY);
        for (JsonNode t : templates()) {
            String id = t.path("id").asText();
            assertThat(applied).as("a template for a step Java reads").containsKey(id);
            BaseElement task = DELIVERY.getModelElementById(applied.get(id));
            assertThat(task.getAttributeValueNs(CAMUNDA, "modelerTemplate")).as(id).isEqualTo(id);
            assertThat(task.getAttributeValueNs(CAMUNDA, "modelerTemplateVersion")).as(id).isEqualTo(t.path("version").asText());
            String kind = task.getElementType().getTypeName();
            assertThat(values(t.path("appliesTo"))).as(id).contains("bpmn:" + Character.toUpperCase(kind.charAt(0)) + kind.substring(1));
            Set<String> carried = task.getExtensionElements().getElementsQuery().filterByType(
                    org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperties.class).list().stream()
                    .flatMap(ps -> ps.getCamundaProperties().stream()).map(CamundaProperty::getCamundaName).collect(Collectors.toSet());
            for (JsonNode p : t.path("properties")) {
                String type = p.path("binding").path("type").asText();
                String name = p.path("binding").path("name").asText();
                if (type.equals("property")) {
                    String local = name.substring(name.indexOf(':') + 1);
                    assertThat(task.getAttributeValueNs(CAMUNDA, local)).as(id + " " + name).isEqualTo(p.path("value").asText());
                } else {
                    assertThat(type).as(id + " " + name).isEqualTo("camunda:property");
                    assertThat(carried).as(id + ": the model carries " + name).contains(name);
                }
            }
        }
    }

    @Test
    void shouldBindTheNamesJavaReadsFromEachStep() throws IOException {
        Map<String, String> bound = new java.util.HashMap<>();
        for (JsonNode t : templates()) {
            for (JsonNode p : t.path("properties")) {
                if (p.path("binding").path("type").asText().equals("camunda:property")) {
                    bound.put(t.path("id").asText(), p.path("binding").path("name").asText());
                }
            }
        }
        assertThat(bound).containsExactlyInAnyOrderEntriesOf(Map.of("dev.pacer.throttle", StepProperties.PROVIDER,
                "dev.pacer.send", StepProperties.FALLBACK_PROVIDER, "dev.pacer.retry", StepProperties.RETRY_POLICY));

        // what a template writes is what Java reads: set each in a copy of the model
        BpmnModelInstance edited = DELIVERY.clone();
        Map<String, String> values = Map.of(Activities.THROTTLE, "twilio", Activities.SEND, "genesys", Activities.SCHEDULE_RETRY, "carrier");
        values.forEach((task, value) -> ((BaseElement) edited.getModelElementById(task)).getExtensionElements().getElementsQuery()
                .filterByType(org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperties.class).singleResult()
                .getCamundaProperties().iterator().next().setCamundaValue(value));
        assertThat(StepProperties.of(edited)).isEqualTo(new StepProperties("twilio", "genesys", "carrier"));
        assertThat(StepProperties.of(DELIVERY)).as("the shipped model leaves them to the campaign and the rules").isEqualTo(StepProperties.NONE);
    }

    @Test
    void shouldOfferOnlyPoliciesOfTheShippedTableAndTheBuiltInAccounts() throws IOException {
        Set<String> policies = RetryPolicyTable.read(Dmn.readModelFromFile(Path.of("bpmn/response-rules.dmn").toFile())).orElseThrow().keySet();
        for (JsonNode t : templates()) {
            for (JsonNode p : t.path("properties")) {
                String name = p.path("binding").path("name").asText();
                List<String> offered = new ArrayList<>(values(p));
                offered.remove("");
                if (name.equals(StepProperties.RETRY_POLICY)) {
                    assertThat(policies).containsAll(offered);
                    assertThat(offered).containsExactlyInAnyOrderElementsOf(policies);
                } else if (name.equals(StepProperties.PROVIDER) || name.equals(StepProperties.FALLBACK_PROVIDER)) {
                    assertThat(offered).containsExactlyInAnyOrder("bandwidth", "twilio", "genesys");
                }
            }
        }
    }

    private static List<String> values(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node.has("choices")) {
            node.path("choices").forEach(c -> values.add(c.path("value").asText()));
        } else {
            node.forEach(n -> values.add(n.asText()));
        }
        return values;
    }
}
