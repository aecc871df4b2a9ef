package dev.pacer.system;

import dev.pacer.throttle.Grant;
import dev.pacer.throttle.Pacer;
import dev.pacer.throttle.Priority;
import dev.pacer.throttle.ScopeLimit;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * The throttle step: asks the pacer for a send slot in every scope of the message and sets the
 * timer the flow waits on ({@code wakeAt}). {@code slot} tells the flow what to do next: {@code NOW}
 * send, {@code LATER} wait for the reserved slot, {@code RECHECK} wait and ask again; a message
 * whose slot lies past its deadline ends {@code EXPIRED} here, without waiting.
 */
public class ThrottleDelegate implements JavaDelegate {

    static final String NOW = "NOW";
    static final String LATER = "LATER";
    static final String RECHECK = "RECHECK";
    static final String RETRY = "RETRY";

    private final Pacer pacer;
    private final Providers providers;
    private final DeliveryStats stats;
    private final Clock clock;

    ThrottleDelegate(Pacer pacer, Providers providers, DeliveryStats stats, Clock clock) {
        this.pacer = pacer;
        this.providers = providers;
        this.stats = stats;
        this.clock = clock;
    }

    /**
     * The scopes a message is paced in: its provider's account, API user and (if limited) sender
     * number, and its campaign's cap when the campaign has one ({@code campaignRate}).
     */
    static List<String> scopes(DelegateExecution execution, Providers providers) {
        Object rate = execution.getVariable(Vars.CAMPAIGN_RATE);
        ScopeLimit campaign = null;
        if (rate != null) {
            String key = execution.getProcessBusinessKey();
            String campaignId = key == null ? execution.getProcessInstanceId() : key.substring(0, Math.max(0, key.indexOf('/')));
            campaign = ScopeLimit.of("campaign:" + campaignId, (Integer) rate, Integer.MAX_VALUE);
        }
        return providers.scopes((String) execution.getVariable(Vars.PROVIDER), (String) execution.getVariable(Vars.FROM), campaign);
    }

    @Override
    public void execute(DelegateExecution execution) {
        List<String> scopes = scopes(execution, providers);
        int segments = (Integer) execution.getVariable(Vars.SEGMENTS);
        Priority priority = Priority.valueOf((String) execution.getVariable(Vars.PRIORITY));
        Object previous = execution.getVariable(Vars.SLOT);
        if (RETRY.equals(previous)) {
            stats.retrying.decrement();
        }
        Object ticket = RECHECK.equals(previous) ? execution.getVariable(Vars.TICKET) : null;
        Grant grant = pacer.reserve(scopes, segments, priority, ticket == null ? -1 : (Long) ticket);
        Instant now = clock.instant();
        Date deadline = (Date) execution.getVariable(Vars.DEADLINE);
        if (deadline != null && grant.at().isAfter(deadline.toInstant())) {
            pacer.release(scopes, grant, segments);
            execution.setVariable(Vars.SLOT, Outcome.EXPIRED.name());
            execution.setVariable(Vars.OUTCOME, Outcome.EXPIRED.name());
            execution.setVariable(Vars.REASON, "no send slot before the deadline " + deadline.toInstant());
            return;
        }
        execution.setVariable(Vars.SLOT, !grant.reserved() ? RECHECK : grant.at().isAfter(now) ? LATER : NOW);
        execution.setVariable(Vars.SLOT_GENERATION, grant.generation());
        if (!grant.reserved()) {
            execution.setVariable(Vars.TICKET, grant.ticket());
        }
        execution.setVariable(Vars.WAKE_AT, Vars.wakeAt(grant.at()));
    }
}
