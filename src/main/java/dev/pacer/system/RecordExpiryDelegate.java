package dev.pacer.system;

import dev.pacer.throttle.Grant;
import dev.pacer.throttle.Pacer;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * Runs when a message's deadline timer interrupts its delivery, whatever it was waiting on (a send
 * slot, a backoff, a Retry-After, the send window, its paused campaign): the message ends
 * {@code EXPIRED} at its deadline, not at the end of that wait, and any slot it held is given back.
 */
public class RecordExpiryDelegate implements JavaDelegate {

    private static final Map<String, String> WAITING_ON = Map.of(
            ThrottleDelegate.LATER, "its send slot",
            ThrottleDelegate.RECHECK, "its turn in the queue",
            ThrottleDelegate.RETRY, "a retry",
            ThrottleDelegate.WINDOW, "the send window to open",
            ThrottleDelegate.PAUSED, "its campaign to be resumed");

    private final Pacer pacer;
    private final Providers providers;

    RecordExpiryDelegate(Pacer pacer, Providers providers) {
        this.pacer = pacer;
        this.providers = providers;
    }

    @Override
    public void execute(DelegateExecution execution) {
        Object slot = execution.getVariable(Vars.SLOT);
        List<String> scopes = ThrottleDelegate.scopes(execution, providers);
        int segments = (Integer) execution.getVariable(Vars.SEGMENTS);
        Object generation = execution.getVariable(Vars.SLOT_GENERATION);
        Date wakeAt = (Date) execution.getVariable(Vars.WAKE_AT);
        if (ThrottleDelegate.LATER.equals(slot) && generation != null && wakeAt != null) {
            pacer.release(scopes, new Grant(true, wakeAt.toInstant(), (Long) generation, -1), segments);
        } else if (ThrottleDelegate.RECHECK.equals(slot)) {
            pacer.release(scopes, new Grant(false, wakeAt.toInstant(), 0, (Long) execution.getVariable(Vars.TICKET)), segments);
        }
        Date deadline = (Date) execution.getVariable(Vars.DEADLINE);
        String waiting = WAITING_ON.getOrDefault(slot == null ? "" : slot.toString(), "its send");
        String reason = deadline != null
                ? "the deadline " + deadline.toInstant() + " passed while it waited for " + waiting
                : "its longest lifetime (pacer.dispatch.max-lifetime) ran out while it waited for " + waiting;
        SendDelegate.end(execution, Outcome.EXPIRED, reason);
    }
}
