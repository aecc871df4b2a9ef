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

/** Every BPMN file in {@code bpmn/} opens whole in Camunda Modeler: each element has a shape or an edge. */
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
}
