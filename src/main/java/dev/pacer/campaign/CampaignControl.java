package dev.pacer.campaign;

import dev.pacer.flow.CampaignState;
import dev.pacer.flow.Processes;
import org.camunda.bpm.engine.ProcessEngineServices;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.exception.NullValueException;
import org.camunda.bpm.engine.impl.cfg.TransactionState;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static dev.pacer.flow.CampaignVariables.STATE;
import static dev.pacer.flow.MessageVariables.CAMPAIGN_ID;

/**
 * Whether a campaign is running, paused or cancelled, as its messages see it. The state is the
 * campaign instance's variable {@code state} (so it survives a restart and its changes are in the
 * history); each node keeps it for {@code ttl} so the pacing step does not query it per message, and
 * learns a change made on the node itself as soon as it commits.
 */
public class CampaignControl {

    private record Seen(CampaignState state, Instant at) {
    }

    private final Map<String, Seen> seen = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration ttl;

    /** @param ttl how long a node trusts what it last read of a campaign's state set on another node */
    public CampaignControl(Clock clock, Duration ttl) {
        this.clock = clock;
        this.ttl = ttl;
    }

    /** The state of the campaign instance {@code campaignId}; running when it has none (or is gone). */
    public CampaignState state(ProcessEngineServices engine, String campaignId) {
        Instant now = clock.instant();
        Seen s = seen.get(campaignId);
        if (s != null && now.isBefore(s.at().plus(ttl))) {
            return s.state();
        }
        CampaignState state = CampaignState.RUNNING;
        try {
            state = STATE.of(engine.getRuntimeService().getVariable(campaignId, STATE.name()));
            if (state == null) {
                state = CampaignState.RUNNING;
            }
        } catch (NullValueException e) {
            // the campaign instance has ended or was removed: nothing holds its messages back
        }
        seen.put(campaignId, new Seen(state, now));
        return state;
    }

    /** Drops what this node knows of a campaign's state, so the next look reads it afresh. */
    public void forget(String campaignId) {
        seen.remove(campaignId);
    }

    /** Sets the campaign's state in the running command; this node sees it once the command commits. */
    void set(DelegateExecution campaign, CampaignState state) {
        STATE.set(campaign, state);
        String campaignId = campaign.getProcessInstanceId();
        CommandContext context = Context.getCommandContext();
        if (context == null) {
            learn(campaignId, state);
        } else {
            context.getTransactionContext().addTransactionListener(TransactionState.COMMITTED, c -> learn(campaignId, state));
        }
    }

    /** What this node now knows of a campaign's state, for the next {@code ttl}. */
    public void learn(String campaignId, CampaignState state) {
        seen.put(campaignId, new Seen(state, clock.instant()));
    }

    /** Wakes the campaign's messages that wait for the resume: they go back to their pacing step. */
    void wakePaused(DelegateExecution campaign) {
        campaign.getProcessEngineServices().getRuntimeService().createMessageCorrelation(Processes.RESUMED)
                .processInstanceVariableEquals(CAMPAIGN_ID.name(), campaign.getProcessInstanceId()).correlateAllWithResult();
    }
}
