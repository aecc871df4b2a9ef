package dev.pacer.delivery;

import dev.pacer.flow.Outcome;
import dev.pacer.flow.Slot;
import dev.pacer.throttle.Grant;
import dev.pacer.throttle.Pacer;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.pacer.flow.MessageVariables.DEADLINE;
import static dev.pacer.flow.MessageVariables.SEGMENTS;
import static dev.pacer.flow.MessageVariables.SLOT;
import static dev.pacer.flow.MessageVariables.SLOT_AT;
import static dev.pacer.flow.MessageVariables.SLOT_GENERATION;
import static dev.pacer.flow.MessageVariables.TICKET;

/**
 * Runs when a message's deadline timer interrupts its delivery, whatever it was waiting on (a send
 * slot, a backoff, a Retry-After, the send window, its paused campaign): the message ends
 * {@code EXPIRED} at its deadline, not at the end of that wait, and any slot it held is given back.
 */
public class RecordExpiryDelegate implements JavaDelegate {

    private static final Map<Slot, String> WAITING_ON = Map.of(
            Slot.LATER, "its send slot",
            Slot.RECHECK, "its turn in the queue",
            Slot.RETRY, "a retry",
            Slot.WINDOW, "the send window to open",
            Slot.PAUSED, "its campaign to be resumed");

    private final DeliverySteps steps;
    private final Pacer pacer;

    public RecordExpiryDelegate(DeliverySteps steps, Pacer pacer) {
        this.steps = steps;
        this.pacer = pacer;
    }

    @Override
    public void execute(DelegateExecution execution) {
        Slot slot = SLOT.get(execution);
        List<String> scopes = steps.scopes(execution);
        int segments = SEGMENTS.require(execution);
        Long generation = SLOT_GENERATION.get(execution);
        Instant slotAt = SLOT_AT.get(execution);
        if (slot == Slot.LATER && generation != null && slotAt != null) {
            pacer.release(scopes, new Grant(true, slotAt, generation, -1), segments);
        } else if (slot == Slot.RECHECK) {
            pacer.release(scopes, new Grant(false, slotAt, generation == null ? -1 : generation, TICKET.require(execution)), segments);
        }
        Instant deadline = DEADLINE.get(execution);
        String waiting = slot == null ? "its send" : WAITING_ON.getOrDefault(slot, "its send");
        String reason = deadline != null
                ? "the deadline " + deadline + " passed while it waited for " + waiting
                : "its longest lifetime (pacer.dispatch.max-lifetime) ran out while it waited for " + waiting;
        steps.end(execution, Outcome.EXPIRED, reason);
    }
}
