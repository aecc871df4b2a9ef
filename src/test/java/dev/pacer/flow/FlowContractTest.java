package dev.pacer.flow;

import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.camunda.bpm.model.bpmn.instance.EndEvent;
import org.camunda.bpm.model.bpmn.instance.Error;
import org.camunda.bpm.model.bpmn.instance.FlowNode;
import org.camunda.bpm.model.bpmn.instance.IntermediateCatchEvent;
import org.camunda.bpm.model.bpmn.instance.Message;
import org.camunda.bpm.model.bpmn.instance.Process;
import org.camunda.bpm.model.bpmn.instance.SequenceFlow;
import org.camunda.bpm.model.bpmn.instance.TimerEventDefinition;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Java side of the flow contract matches {@code bpmn/}: a model edited in Modeler that drops an
 * activity, a message or an error Java relies on, or a timer or condition reading a variable Java
 * does not set, fails here rather than at run time.
 */
class FlowContractTest {

    private static final BpmnModelInstance DELIVERY = Bpmn.readModelFromFile(Path.of("bpmn/delivery.bpmn").toFile());
    private static final BpmnModelInstance CAMPAIGN = Bpmn.readModelFromFile(Path.of("bpmn/campaign.bpmn").toFile());
    private static final Pattern NAME = Pattern.compile("\\$\\{\\s*([a-zA-Z]\\w*)");

    @Test
    void shouldFindTheProcessKeys() {
        assertThat(DELIVERY.getModelElementsByType(Process.class)).extracting(Process::getId).containsExactly(Processes.DELIVERY);
        assertThat(CAMPAIGN.getModelElementsByType(Process.class)).extracting(Process::getId).containsExactly(Processes.CAMPAIGN);
    }

    @Test
    void shouldFindEveryActivityJavaLooksFor() {
        for (Wait w : Wait.values()) {
            assertThat((Object) DELIVERY.getModelElementById(w.activityId())).as(w.name()).isInstanceOf(IntermediateCatchEvent.class);
            IntermediateCatchEvent wait = DELIVERY.getModelElementById(w.activityId());
            boolean timer = wait.getEventDefinitions().stream().anyMatch(d -> d instanceof TimerEventDefinition);
            assertThat(timer).as(w.name()).isEqualTo(w.isTimer());
        }
        for (String id : Set.of(Activities.THROTTLE, Activities.SEND, Activities.DEADLINE)) {
            assertThat((Object) DELIVERY.getModelElementById(id)).as(id).isInstanceOf(FlowNode.class);
        }
        for (String id : Activities.INNER_ENDS) {
            assertThat((Object) DELIVERY.getModelElementById(id)).as(id).isInstanceOf(EndEvent.class);
        }
        for (String id : Set.of(Activities.PAUSE, Activities.RESUME, Activities.CANCEL)) {
            assertThat((Object) CAMPAIGN.getModelElementById(id)).as(id).isInstanceOf(FlowNode.class);
        }
    }

    @Test
    void shouldEndEveryOutcomeOnItsOwnEndEvent() {
        Set<String> outcomeEnds = DELIVERY.getModelElementsByType(EndEvent.class).stream().map(EndEvent::getId)
                .filter(Activities::isOutcomeEnd).collect(Collectors.toSet());
        Set<String> expected = Arrays.stream(Outcome.values())
                .filter(o -> o != Outcome.PENDING)
                .map(o -> "End_" + Arrays.stream(o.name().split("_")).map(w -> w.charAt(0) + w.substring(1).toLowerCase())
                        .collect(Collectors.joining())).collect(Collectors.toSet());
        assertThat(outcomeEnds).isEqualTo(expected);
    }

    @Test
    void shouldNameTheMessagesAndErrorsJavaSends() {
        assertThat(CAMPAIGN.getModelElementsByType(Message.class)).extracting(Message::getName)
                .contains(Processes.PAUSE, Processes.RESUME, Processes.CANCEL);
        assertThat(DELIVERY.getModelElementsByType(Message.class)).extracting(Message::getName).contains(Processes.RESUMED, Processes.RECEIPT);
        assertThat(DELIVERY.getModelElementsByType(Error.class)).extracting(Error::getErrorCode)
                .containsExactlyInAnyOrder(Processes.RATE_LIMITED, Processes.TRANSIENT, Processes.IN_DOUBT);
    }

    @Test
    void shouldReadOnlyVariablesTheContractKnowsInTimersAndConditions() throws Exception {
        Set<String> known = Arrays.stream(MessageVariables.class.getFields()).filter(f -> Modifier.isStatic(f.getModifiers()))
                .map(FlowContractTest::name).collect(Collectors.toSet());
        String model = Files.readString(Path.of("bpmn/delivery.bpmn"));
        Matcher m = NAME.matcher(model);
        Set<String> read = new java.util.TreeSet<>();
        while (m.find()) {
            read.add(m.group(1));
        }
        // delegates and listeners bound by name, not variables
        read.removeAll(Processes.BEANS);
        assertThat(known).containsAll(read);
        assertThat(read).contains(MessageVariables.SLOT_AT.name(), MessageVariables.RETRY_AT.name(),
                MessageVariables.WINDOW_OPENS_AT.name(), MessageVariables.EXPIRES_AT.name(), MessageVariables.SLOT.name());
        for (SequenceFlow flow : DELIVERY.getModelElementsByType(SequenceFlow.class)) {
            if (flow.getConditionExpression() != null && flow.getConditionExpression().getTextContent().contains("slot ==")) {
                String slot = flow.getConditionExpression().getTextContent().replaceAll(".*'(\\w+)'.*", "$1");
                assertThat(Slot.valueOf(slot)).as(flow.getId()).isNotNull();
            }
        }
    }

    @Test
    void shouldBindEveryDelegateAModelNamesToABeanTheModelsMayReach() throws Exception {
        Set<String> named = new java.util.TreeSet<>();
        for (String model : new String[]{"bpmn/delivery.bpmn", "bpmn/campaign.bpmn"}) {
            Matcher m = Pattern.compile("delegateExpression=\"\\$\\{(\\w+)}\"").matcher(Files.readString(Path.of(model)));
            while (m.find()) {
                named.add(m.group(1));
            }
            // a bean a condition asks: ${messageLane.immediate(execution)}
            Matcher asked = Pattern.compile("\\$\\{(\\w+)\\.\\w+\\(execution\\)}").matcher(Files.readString(Path.of(model)));
            while (asked.find()) {
                named.add(asked.group(1));
            }
        }
        assertThat(Processes.BEANS).isEqualTo(named);
    }

    private static String name(Field f) {
        try {
            return ((Variable<?>) f.get(null)).name();
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
