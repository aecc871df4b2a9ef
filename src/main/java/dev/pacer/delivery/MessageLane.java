package dev.pacer.delivery;

import dev.pacer.throttle.Priority;
import org.camunda.bpm.engine.delegate.DelegateExecution;

import static dev.pacer.flow.MessageVariables.CAMPAIGN_ID;
import static dev.pacer.flow.MessageVariables.PRIORITY;

/**
 * Which messages go the whole way in their caller's transaction ({@code ${messageLane.immediate(execution)}}
 * in {@code bpmn/delivery.bpmn}): a real-time message submitted on its own through the process API is
 * prepared, paced and, when its slot is now, sent before the start call returns, without waiting for
 * a job executor thread that bulk jobs keep busy. A campaign's messages are started in the
 * dispatcher's transaction, many at once: they are handed to the job executor.
 */
public class MessageLane {

    public boolean immediate(DelegateExecution execution) {
        if (CAMPAIGN_ID.get(execution) != null) {
            return false;
        }
        Object given = PRIORITY.raw(execution);
        if (given == null || given.toString().isBlank()) {
            // a message on its own is a real-time one unless it says otherwise
            return true;
        }
        try {
            return Priority.parse(given.toString()) == Priority.REALTIME;
        } catch (IllegalArgumentException e) {
            // the prepare step refuses it, naming the value
            return false;
        }
    }
}
