package dev.pacer.delivery;

import dev.pacer.flow.CampaignState;
import dev.pacer.flow.Outcome;
import dev.pacer.flow.Slot;
import dev.pacer.flow.WaitReason;
import dev.pacer.sms.SendWindow;
import dev.pacer.throttle.Grant;
import dev.pacer.throttle.Pacer;
import dev.pacer.throttle.Priority;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;

import static dev.pacer.flow.MessageVariables.DEADLINE;
import static dev.pacer.flow.MessageVariables.PRIORITY;
import static dev.pacer.flow.MessageVariables.SEGMENTS;
import static dev.pacer.flow.MessageVariables.SEND_WINDOW;
import static dev.pacer.flow.MessageVariables.SLOT;
import static dev.pacer.flow.MessageVariables.SLOT_AT;
import static dev.pacer.flow.MessageVariables.SLOT_GENERATION;
import static dev.pacer.flow.MessageVariables.TICKET;
import static dev.pacer.flow.MessageVariables.TIME_ZONES;
import static dev.pacer.flow.MessageVariables.WAIT_REASON;
import static dev.pacer.flow.MessageVariables.WINDOW_OPENS_AT;

/**
 * The throttle step: decides what the message does next and sets the timer it waits on.
 * {@code slot} tells the flow: {@code NOW} send, {@code LATER} wait for the reserved slot
 * ({@code slotAt}), {@code RECHECK} wait and ask again, {@code WINDOW} wait until the recipient's
 * send window opens ({@code windowOpensAt}), {@code PAUSED} wait until its campaign is resumed,
 * {@code END} the message ends here ({@code EXPIRED} when no slot or window comes before its
 * deadline, {@code CANCELLED} when its campaign was cancelled), without waiting.
 */
public class ThrottleDelegate implements JavaDelegate {

    /** Waits until an instant, on the clock the slots are reckoned on. */
    @FunctionalInterface
    public interface Waiter {
        void waitUntil(Instant at) throws InterruptedException;
    }

    private final DeliverySteps steps;
    private final Pacer pacer;
    private final Clock clock;
    private final Duration realtimeInline;
    private final Waiter waiter;

    /**
     * @param realtimeInline how soon a real-time message's slot must come for the message to wait for
     *                       it in its own thread rather than on a timer (a job executor hop: a poll,
     *                       and a thread that bulk jobs may keep busy); zero never
     */
    public ThrottleDelegate(DeliverySteps steps, Pacer pacer, Clock clock, Duration realtimeInline, Waiter waiter) {
        this.steps = steps;
        this.pacer = pacer;
        this.clock = clock;
        this.realtimeInline = realtimeInline;
        this.waiter = waiter;
    }

    @Override
    public void execute(DelegateExecution execution) {
        Slot previous = SLOT.get(execution);
        Instant now = clock.instant();
        Instant deadline = DEADLINE.get(execution);
        if (previous == Slot.PAUSED) {
            // woken by the resume: read the campaign's state afresh, not what this node last saw
            steps.forgetCampaignState(execution);
        }
        List<String> scopes = steps.scopes(execution);
        int segments = SEGMENTS.require(execution);
        Priority priority = PRIORITY.require(execution);
        long ticket = -1;
        long generation = SLOT_GENERATION.get(execution, -1L);
        if (previous == Slot.RECHECK && generation != -1 && !pacer.isLocal(generation)) {
            // its place is in the queue of the node that queued it: that one frees it, and the message queues here anew
            pacer.release(scopes, new Grant(false, now, generation, TICKET.require(execution)), segments);
        } else if (previous == Slot.RECHECK) {
            // its ticket; a message a batch handed over asks with the one the batch gave it
            ticket = TICKET.get(execution, -1L);
        } else if (previous == Slot.RESLOT && priority == Priority.BULK) {
            ticket = Pacer.FRONT;
        }
        CampaignState state = steps.campaignState(execution);
        String windowText = SEND_WINDOW.get(execution);
        SendWindow window = windowText == null ? null : SendWindow.parse(windowText);
        List<ZoneId> zones = window == null ? List.of() : zones(execution);
        boolean windowShut = window != null && !window.isOpen(now, zones);
        if (ticket >= 0 && (state != CampaignState.RUNNING || windowShut)) {
            // leaving the bulk queue for a while: its place must not hold back the messages behind it
            pacer.release(scopes, new Grant(false, now, generation, ticket), segments);
        }
        switch (state) {
            case CANCELLED -> {
                steps.end(execution, Outcome.CANCELLED, "its campaign was cancelled before it was sent");
                return;
            }
            case PAUSED -> {
                if (previous != Slot.PAUSED) {
                    WAIT_REASON.set(execution, WaitReason.of(WaitReason.PAUSED, "waiting for the campaign to be resumed"));
                }
                SLOT.set(execution, Slot.PAUSED);
                return;
            }
            case RUNNING -> {
            }
        }
        if (windowShut) {
            waitForWindow(execution, window.nextOpening(now, zones), deadline, window);
            return;
        }
        Grant grant = pacer.reserve(scopes, segments, priority, ticket);
        if (deadline != null && grant.at().isAfter(deadline)) {
            pacer.release(scopes, grant, segments);
            steps.end(execution, Outcome.EXPIRED, "no send slot before the deadline " + deadline);
            return;
        }
        if (window != null && grant.reserved() && !window.isOpen(grant.at(), zones)) {
            pacer.release(scopes, grant, segments);
            waitForWindow(execution, window.nextOpening(grant.at(), zones), deadline, window);
            return;
        }
        boolean later = grant.reserved() && grant.at().isAfter(now);
        if (later && priority == Priority.REALTIME && Duration.between(now, grant.at()).compareTo(realtimeInline) <= 0) {
            // a real-time slot a moment away: waited for here, not through a timer job
            try {
                waiter.waitUntil(grant.at());
                later = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        SLOT.set(execution, !grant.reserved() ? Slot.RECHECK : later ? Slot.LATER : Slot.NOW);
        SLOT_GENERATION.set(execution, grant.generation());
        if (!grant.reserved()) {
            TICKET.set(execution, grant.ticket());
        }
        SLOT_AT.set(execution, grant.at());
    }

    private void waitForWindow(DelegateExecution execution, Instant opens, Instant deadline, SendWindow window) {
        if (deadline != null && opens.isAfter(deadline)) {
            steps.end(execution, Outcome.EXPIRED, "the send window " + window + " opens at " + opens + ", after the deadline " + deadline);
            return;
        }
        SLOT.set(execution, Slot.WINDOW);
        WINDOW_OPENS_AT.set(execution, opens);
        WAIT_REASON.set(execution, WaitReason.of(WaitReason.SEND_WINDOW, window + " in " + TIME_ZONES.get(execution) + " opens at " + opens));
    }

    private static List<ZoneId> zones(DelegateExecution execution) {
        return Arrays.stream(TIME_ZONES.require(execution).split(",")).map(ZoneId::of).toList();
    }
}
