package dev.pacer.campaign;

import dev.pacer.flow.Activities;
import dev.pacer.flow.CampaignState;
import dev.pacer.flow.Processes;
import org.camunda.bpm.engine.MismatchingMessageCorrelationException;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.ProcessEngineServices;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.exception.NullValueException;
import org.camunda.bpm.engine.impl.cfg.TransactionState;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.interceptor.CommandExecutor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static dev.pacer.flow.CampaignVariables.PAUSE_REASON;
import static dev.pacer.flow.CampaignVariables.STATE;
import static dev.pacer.flow.MessageVariables.CAMPAIGN_ID;

/**
 * Whether a campaign is running, paused or cancelled, as its messages see it. The state is the
 * campaign instance's variable {@code state} (so it survives a restart and its changes are in the
 * history); each node keeps it for {@code ttl} so the pacing step does not query it per message, and
 * learns a change made on the node itself as soon as it commits.
 */
public class CampaignControl {

    private static final Logger log = LoggerFactory.getLogger(CampaignControl.class);

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

    /**
     * Pauses a campaign because of {@code reason}, once the running command has committed (a
     * message's send step must not touch its campaign's instance, which its dispatch step may be
     * updating): the pause is the BPMN message a user would send, with the reason. This node
     * stops starting sends for it at once.
     */
    public void pauseAfterCommit(ProcessEngineServices engine, String campaignId, String reason) {
        // at once on this node, so that the message's own pacing step, in this command, finds it paused
        learn(campaignId, CampaignState.PAUSED);
        CommandContext context = Context.getCommandContext();
        if (context == null) {
            pause(engine, campaignId, reason, null);
        } else {
            // each try a command of its own: the committed one is still closing
            CommandExecutor fresh = Context.getProcessEngineConfiguration().getCommandExecutorTxRequiresNew();
            context.getTransactionContext().addTransactionListener(TransactionState.COMMITTED, c -> pause(engine, campaignId, reason, fresh));
        }
    }

    private static void pause(ProcessEngineServices engine, String campaignId, String reason, CommandExecutor fresh) {
        Runnable correlate = () -> engine.getRuntimeService().createMessageCorrelation(Processes.PAUSE).processInstanceId(campaignId)
                .setVariable(PAUSE_REASON.name(), reason).correlateWithResult();
        for (int attempt = 1; ; attempt++) {
            try {
                if (fresh == null) {
                    correlate.run();
                } else {
                    fresh.execute(inner -> {
                        correlate.run();
                        return null;
                    });
                }
                return;
            } catch (OptimisticLockingException e) {
                // the campaign's own dispatch step changed it meanwhile: again
                if (attempt == 10) {
                    log.warn("campaign {} could not be paused ({}): {}", campaignId, reason, e.getMessage());
                    return;
                }
            } catch (MismatchingMessageCorrelationException e) {
                return; // the campaign has ended meanwhile
            }
        }
    }

    /** Wakes the campaign's messages that wait for the resume: they go back to their pacing step. */
    void wakePaused(DelegateExecution campaign) {
        campaign.getProcessEngineServices().getRuntimeService().createMessageCorrelation(Processes.RESUMED)
                .processInstanceVariableEquals(CAMPAIGN_ID.name(), campaign.getProcessInstanceId()).correlateAllWithResult();
        wakeDispatch(campaign);
    }

    /**
     * Moves the campaign's Next batch timer to now: its dispatch step sees the change at once (a
     * resumed campaign sends again, a cancelled one counts its rows and ends), not when the first
     * slot its last batch left comes.
     */
    private void wakeDispatch(DelegateExecution campaign) {
        org.camunda.bpm.engine.ManagementService management = campaign.getProcessEngineServices().getManagementService();
        java.util.Date now = java.util.Date.from(clock.instant());
        management.createJobQuery().processInstanceId(campaign.getProcessInstanceId()).activityId(Activities.NEXT_BATCH).timers().list()
                .stream().filter(job -> job.getDuedate().after(now)).forEach(job -> management.setJobDuedate(job.getId(), now));
    }
}
