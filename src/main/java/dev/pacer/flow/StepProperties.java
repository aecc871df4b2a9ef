package dev.pacer.flow;

import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.camunda.bpm.model.bpmn.instance.BaseElement;
import org.camunda.bpm.model.bpmn.instance.ExtensionElements;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperties;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperty;

import java.util.HashMap;
import java.util.Map;

/**
 * The settings a step of {@code bpmn/delivery.bpmn} carries as extension properties
 * ({@code camunda:property}), written by the element templates in {@code bpmn/.camunda/element-templates}:
 * each, when set, overrides what the campaign or the rules chose. A blank value is not set.
 *
 * @param provider         the account the flow's messages are paced on and sent through ({@code Task_Throttle})
 * @param fallbackProvider the account a send fails over to when its own is down ({@code Task_Send})
 * @param retryPolicy      the retry policy after a transient failure, instead of the rules' choice ({@code Task_ScheduleRetry})
 */
public record StepProperties(String provider, String fallbackProvider, String retryPolicy) {

    /** The extension property names, as the element templates bind them. */
    public static final String PROVIDER = "provider";
    public static final String FALLBACK_PROVIDER = "fallbackProvider";
    public static final String RETRY_POLICY = "retryPolicy";

    /** Nothing set: the campaign's accounts and the rules' policy. */
    public static final StepProperties NONE = new StepProperties(null, null, null);

    /** The settings of the delivery flow {@code model}. */
    public static StepProperties of(BpmnModelInstance model) {
        return new StepProperties(property(model, Activities.THROTTLE, PROVIDER), property(model, Activities.SEND, FALLBACK_PROVIDER),
                property(model, Activities.SCHEDULE_RETRY, RETRY_POLICY));
    }

    /** The extension property {@code name} of element {@code id}, or null when it has none or a blank one. */
    public static String property(BpmnModelInstance model, String id, String name) {
        BaseElement element = model.getModelElementById(id);
        return element == null ? null : properties(element).get(name);
    }

    /** The element's extension properties with a value, by name. */
    public static Map<String, String> properties(BaseElement element) {
        Map<String, String> found = new HashMap<>();
        ExtensionElements extensions = element.getExtensionElements();
        if (extensions == null) {
            return found;
        }
        for (CamundaProperties properties : extensions.getChildElementsByType(CamundaProperties.class)) {
            for (CamundaProperty p : properties.getCamundaProperties()) {
                if (p.getCamundaName() != null && p.getCamundaValue() != null && !p.getCamundaValue().isBlank()) {
                    found.put(p.getCamundaName(), p.getCamundaValue().strip());
                }
            }
        }
        return found;
    }
}
