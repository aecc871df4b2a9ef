package dev.pacer.system;

import dev.pacer.throttle.Grant;
import dev.pacer.throttle.Pacer;
import dev.pacer.throttle.Priority;
import dev.pacer.throttle.ScopeLimit;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

import dev.pacer.audit.WaitReason;
import dev.pacer.campaign.SendWindow;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.Date;
import java.util.List;

/**
 * The throttle step: decides what the message does next and sets the timer it waits on
 * ({@code wakeAt}). {@code slot} tells the flow: {@code NOW} send, {@code LATER} wait for the
 * reserved slot, {@code RECHECK} wait and ask again, {@code WINDOW} wait until the recipient's send
 * window opens, {@code PAUSED} wait until its campaign is resumed, {@code END} the message ends
 * here ({@code EXPIRED} when no slot or window comes before its deadline, {@code CANCELLED} when its
 * campaign was cancelled), without waiting.
 */
public class ThrottleDelegate implements JavaDelegate {

    static final String NOW = "NOW";
    static final String LATER = "LATER";
    static final String RECHECK = "RECHECK";
    static final String RETRY = "RETRY";
    static final String WINDOW = "WINDOW";
    static final String PAUSED = "PAUSED";
    static final String END = "END";
    /** Set by the send step: the slot was voided (a pause, or a real-time send took it); ask again at once. */
    static final String RESLOT = "RESLOT";

    private final Pacer pacer;
    private final Providers providers;
    private final Clock clock;
    private final CampaignControl control;

    ThrottleDelegate(Pacer pacer, Providers providers, Clock clock, CampaignControl control) {
        this.pacer = pacer;
        this.providers = providers;
        this.clock = clock;
        this.control = control;
    }

    /**
     * The scopes a message is paced in: its provider's account, API user and (if limited) sender
     * number, and its campaign's cap when the campaign has one ({@code campaignRate}).
     */
    static List<String> scopes(DelegateExecution execution, Providers providers) {
        Object rate = execution.getVariable(Vars.CAMPAIGN_RATE);
        ScopeLimit campaign = null;
        if (rate != null) {
            Object id = execution.getVariable(Vars.CAMPAIGN_ID);
            campaign = ScopeLimit.of("campaign:" + (id == null ? execution.getProcessInstanceId() : id), (Integer) rate, Integer.MAX_VALUE);
        }
        return providers.scopes((String) execution.getVariable(Vars.PROVIDER), (String) execution.getVariable(Vars.FROM), campaign);
    }

    /** The state of the message's campaign (running for a message on its own). */
    static CampaignControl.State campaignState(DelegateExecution execution, CampaignControl control) {
        Object id = execution.getVariable(Vars.CAMPAIGN_ID);
        return id == null ? CampaignControl.State.RUNNING : control.state(execution.getProcessEngineServices(), id.toString());
    }

    @Override
    public void execute(DelegateExecution execution) {
        Object previous = execution.getVariable(Vars.SLOT);
        Instant now = clock.instant();
        Date deadlineDate = (Date) execution.getVariable(Vars.DEADLINE);
        Instant deadline = deadlineDate == null ? null : deadlineDate.toInstant();
        if (PAUSED.equals(previous) && execution.getVariable(Vars.CAMPAIGN_ID) != null) {
            // woken by the resume: read the campaign's state afresh, not what this node last saw
            control.forget(execution.getVariable(Vars.CAMPAIGN_ID).toString());
        }
        List<String> scopes = scopes(execution, providers);
        int segments = (Integer) execution.getVariable(Vars.SEGMENTS);
        Priority priority = Priority.valueOf((String) execution.getVariable(Vars.PRIORITY));
        long ticket = -1;
        if (RECHECK.equals(previous)) {
            ticket = (Long) execution.getVariable(Vars.TICKET);
        } else if (RESLOT.equals(previous) && priority == Priority.BULK) {
            ticket = Pacer.FRONT;
        }
        CampaignControl.State state = campaignState(execution, control);
        SendWindow window = window(execution);
        List<ZoneId> zones = window == null ? List.of() : zones(execution);
        boolean windowShut = window != null && !window.isOpen(now, zones);
        if (ticket >= 0 && (state != CampaignControl.State.RUNNING || windowShut)) {
            // leaving the bulk queue for a while: its place must not hold back the messages behind it
            pacer.release(scopes, new Grant(false, now, 0, ticket), segments);
        }
        switch (state) {
            case CANCELLED -> {
                SendDelegate.end(execution, Outcome.CANCELLED, "its campaign was cancelled before it was sent");
                return;
            }
            case PAUSED -> {
                if (!PAUSED.equals(previous)) {
                    execution.setVariable(Vars.WAIT_REASON, WaitReason.of(WaitReason.PAUSED, "waiting for the campaign to be resumed"));
                }
                execution.setVariable(Vars.SLOT, PAUSED);
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
            SendDelegate.end(execution, Outcome.EXPIRED, "no send slot before the deadline " + deadline);
            return;
        }
        if (window != null && grant.reserved() && !window.isOpen(grant.at(), zones)) {
            pacer.release(scopes, grant, segments);
            waitForWindow(execution, window.nextOpening(grant.at(), zones), deadline, window);
            return;
        }
        execution.setVariable(Vars.SLOT, !grant.reserved() ? RECHECK : grant.at().isAfter(now) ? LATER : NOW);
        execution.setVariable(Vars.SLOT_GENERATION, grant.generation());
        if (!grant.reserved()) {
            execution.setVariable(Vars.TICKET, grant.ticket());
        }
        execution.setVariable(Vars.WAKE_AT, Vars.wakeAt(grant.at()));
    }

    private void waitForWindow(DelegateExecution execution, Instant opens, Instant deadline, SendWindow window) {
        if (deadline != null && opens.isAfter(deadline)) {
            SendDelegate.end(execution, Outcome.EXPIRED, "the send window " + window + " opens at " + opens + ", after the deadline " + deadline);
            return;
        }
        execution.setVariable(Vars.SLOT, WINDOW);
        execution.setVariable(Vars.WAKE_AT, Vars.wakeAt(opens));
        execution.setVariable(Vars.WAIT_REASON, WaitReason.of(WaitReason.SEND_WINDOW, window + " in " + execution.getVariable(Vars.TIME_ZONES)
                + " opens at " + opens));
    }

    static SendWindow window(DelegateExecution execution) {
        Object w = execution.getVariable(Vars.SEND_WINDOW);
        return w == null ? null : SendWindow.parse(w.toString());
    }

    static List<ZoneId> zones(DelegateExecution execution) {
        return Arrays.stream(((String) execution.getVariable(Vars.TIME_ZONES)).split(",")).map(ZoneId::of).toList();
    }
}
