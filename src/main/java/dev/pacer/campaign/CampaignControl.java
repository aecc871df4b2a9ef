package dev.pacer.campaign;

import dev.pacer.flow.Activities;
import dev.pacer.flow.CampaignState;
import dev.pacer.flow.Processes;
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
    private final ControlRequests requests;

    /** @param ttl how long a node trusts what it last read of a campaign's state set on another node */
    public CampaignControl(Clock clock, Duration ttl) {
        this(clock, ttl, null);
    }

    /** @param requests where the pauses Pacer decides itself are recorded, as a user's are */
    public CampaignControl(Clock clock, Duration ttl, ControlRequests requests) {
        this.clock = clock;
        this.ttl = ttl;
        this.requests = requests;
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
     * Pauses a campaign because of {@code reason} (its provider refused the account, its receipts
     * say the carriers filter it): a request as a user's pause over the API is
     * ({@link ControlRequests}), recorded at once, which the campaign's dispatch step applies; a
     * message's send step must not touch its campaign's instance, which its dispatch step may be
     * updating. This node stops starting sends for it at once. Without requests (a process test's
     * engine), the BPMN message after the running command has committed.
     */
    public void pauseAfterCommit(ProcessEngineServices engine, String campaignId, String reason) {
        // at once on this node, so that the message's own pacing step, in this command, finds it paused
        learn(campaignId, CampaignState.PAUSED);
        if (requests != null) {
            requests.request(campaignId, ControlRequests.Action.PAUSE, reason, "pacer");
            afterCommit(() -> wakeDispatch(engine.getManagementService(), campaignId));
            return;
        }
        afterCommit(() -> ownCommand(() -> engine.getRuntimeService().createMessageCorrelation(Processes.PAUSE).processInstanceId(campaignId)
                .setVariable(PAUSE_REASON.name(), reason).correlateWithResult()));
    }

    /**
     * Wakes the campaign's messages that wait for the resume, once the running command has committed
     * and each in a command of its own: they go back to their pacing step (and may send at once),
     * which must not happen inside the campaign's own transaction (its dispatch step's, with a batch
     * in it).
     */
    void wakePaused(DelegateExecution campaign) {
        ProcessEngineServices engine = campaign.getProcessEngineServices();
        String campaignId = campaign.getProcessInstanceId();
        afterCommit(() -> {
            org.camunda.bpm.engine.RuntimeService runtime = engine.getRuntimeService();
            for (org.camunda.bpm.engine.runtime.Execution waiting : runtime.createExecutionQuery().messageEventSubscriptionName(Processes.RESUMED)
                    .processVariableValueEquals(CAMPAIGN_ID.name(), campaignId).list()) {
                ownCommand(() -> runtime.messageEventReceived(Processes.RESUMED, waiting.getId()));
            }
            wakeDispatch(engine.getManagementService(), campaignId);
        });
    }

    /**
     * Runs {@code work} in a command of its own, so that one message's conflict does not undo the
     * others': a message whose job runs meanwhile (optimistic locking) or that moved on finds the
     * campaign's state itself. The engine's refusals are logged at debug level only.
     */
    static void ownCommand(Runnable work) {
        boolean outer = OWN_COMMAND.get();
        OWN_COMMAND.set(true);
        try {
            if (Context.getCommandContext() == null) {
                work.run();
            } else {
                Context.getProcessEngineConfiguration().getCommandExecutorTxRequiresNew().execute(c -> {
                    work.run();
                    return null;
                });
            }
        } catch (org.camunda.bpm.engine.ProcessEngineException moved) {
            // its job ran meanwhile (optimistic locking), or it was woken already (by the resume and by
            // its campaign's next run), or it ended: it no longer waits
            log.debug("a campaign's message moved on before it was woken: {}", moved.getMessage());
        } finally {
            OWN_COMMAND.set(outer);
        }
    }

    private static final ThreadLocal<Boolean> OWN_COMMAND = ThreadLocal.withInitial(() -> false);

    /**
     * Whether this thread runs one of {@link #ownCommand}'s commands, whose refusals by the engine
     * are expected and logged at debug level: the engine's own copy of them (ENGINE-16004, at ERROR
     * with a trace) is left out of the log ({@code dev.pacer.system.ExpectedProblems}).
     */
    public static boolean inOwnCommand() {
        return OWN_COMMAND.get();
    }

    /**
     * Runs {@code work} once the running command has committed, in a command of its own (at once
     * when no command runs). Its failure is logged: what it wakes, a timer wakes later anyway.
     */
    static void afterCommit(Runnable work) {
        CommandContext context = Context.getCommandContext();
        if (context == null) {
            work.run();
            return;
        }
        CommandExecutor fresh = Context.getProcessEngineConfiguration().getCommandExecutorTxRequiresNew();
        context.getTransactionContext().addTransactionListener(TransactionState.COMMITTED, c -> {
            try {
                fresh.execute(inner -> {
                    work.run();
                    return null;
                });
            } catch (RuntimeException e) {
                log.warn("after a campaign's pause, resume or cancel, waking its messages failed ({}); their timers wake them", e.toString());
            }
        });
    }

    /**
     * Moves the campaign's Next batch timer to now: its dispatch step sees the change at once (a
     * resumed campaign sends again, a cancelled one counts its rows and ends), not when the first
     * slot its last batch left comes.
     */
    public void wakeDispatch(org.camunda.bpm.engine.ManagementService management, String campaignId) {
        wakeDispatch(management, campaignId, clock.instant());
    }

    /** {@link #wakeDispatch(org.camunda.bpm.engine.ManagementService, String)} at {@code at}. */
    static void wakeDispatch(org.camunda.bpm.engine.ManagementService management, String campaignId, Instant at) {
        java.util.Date now = java.util.Date.from(at);
        for (org.camunda.bpm.engine.runtime.Job job : management.createJobQuery().processInstanceId(campaignId)
                .activityId(Activities.NEXT_BATCH).timers().list()) {
            // a job the executor has taken runs now anyway, and sees what changed in its next run
            boolean taken = job instanceof org.camunda.bpm.engine.impl.persistence.entity.JobEntity e && e.getLockOwner() != null;
            if (job.getDuedate().after(now) && !taken) {
                ownCommand(() -> management.setJobDuedate(job.getId(), now));
            }
        }
    }
}
