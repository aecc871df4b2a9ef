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
        try {
            return priority(PRIORITY.raw(execution), true) == Priority.REALTIME;
        } catch (IllegalArgumentException e) {
            // the prepare step refuses it, naming the value
            return false;
        }
    }

    /**
     * A message's priority as given ({@code bulk} or {@code realtime}, in any case); a message on its
     * own that gives none is a real-time one, a campaign's a bulk one.
     *
     * @throws IllegalArgumentException naming a value that is neither
     */
    static Priority priority(Object given, boolean onItsOwn) {
        boolean none = given == null || given.toString().isBlank();
        return none && onItsOwn ? Priority.REALTIME : Priority.parse(none ? null : given.toString());
    }
}
