package dev.pacer.flow;

import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.camunda.bpm.model.bpmn.instance.FlowElement;
import org.camunda.bpm.model.bpmn.instance.FlowNode;
import org.camunda.bpm.model.bpmn.instance.Process;
import org.camunda.bpm.model.bpmn.instance.SequenceFlow;
import org.camunda.bpm.model.bpmn.instance.bpmndi.BpmnEdge;
import org.camunda.bpm.model.bpmn.instance.bpmndi.BpmnShape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every BPMN file in {@code bpmn/} opens whole in Camunda Modeler: each element has a shape or an
 * edge; every decision of a DMN file has its shape in the decision requirements diagram, and every
 * rule a cell for each input and output.
 */
class BpmnDiagramTest {

    static List<Path> models() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("bpmn"))) {
            return files.filter(p -> p.toString().endsWith(".bpmn")).sorted().toList();
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void shouldDrawEveryElement(Path file) {
        BpmnModelInstance model = Bpmn.readModelFromFile(file.toFile());
        Set<String> drawn = Stream.concat(
                model.getModelElementsByType(BpmnShape.class).stream().map(s -> s.getBpmnElement().getId()),
                model.getModelElementsByType(BpmnEdge.class).stream().map(e -> e.getBpmnElement().getId()))
                .collect(Collectors.toSet());
        List<String> missing = model.getModelElementsByType(FlowElement.class).stream()
                .filter(e -> e instanceof FlowNode || e instanceof SequenceFlow)
                .map(FlowElement::getId)
                .filter(id -> !drawn.contains(id))
                .toList();
        assertThat(missing).as("elements of %s without a shape or edge", file).isEmpty();
        assertThat(model.getModelElementsByType(Process.class))
                .allSatisfy(p -> assertThat(p.getCamundaHistoryTimeToLiveString()).as("history time to live").isNotBlank());
    }

    static List<Path> tables() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("bpmn"))) {
            return files.filter(p -> p.toString().endsWith(".dmn")).sorted().toList();
        }
    }

    @ParameterizedTest
    @MethodSource("tables")
    void shouldDrawEveryDecisionWithEveryCell(Path file) throws IOException {
        org.camunda.bpm.model.dmn.DmnModelInstance model = org.camunda.bpm.model.dmn.Dmn.readModelFromFile(file.toFile());
        String text = Files.readString(file);
        for (org.camunda.bpm.model.dmn.instance.Decision d : model.getModelElementsByType(org.camunda.bpm.model.dmn.instance.Decision.class)) {
            assertThat(text).as("the shape of %s in %s", d.getId(), file).contains("dmnElementRef=\"" + d.getId() + "\"");
            assertThat(d.getCamundaHistoryTimeToLiveString()).as("history time to live of " + d.getId()).isNotBlank();
            if (d.getExpression() instanceof org.camunda.bpm.model.dmn.instance.DecisionTable table) {
                for (org.camunda.bpm.model.dmn.instance.Rule rule : table.getRules()) {
                    assertThat(rule.getInputEntries()).as(rule.getId()).hasSameSizeAs(table.getInputs());
                    assertThat(rule.getOutputEntries()).as(rule.getId()).hasSameSizeAs(table.getOutputs());
                }
            }
        }
    }
}
