package dev.pacer.system;

import org.camunda.bpm.engine.ProcessEngineServices;
import org.camunda.bpm.engine.exception.NullValueException;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.cfg.TransactionState;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a campaign is running, paused or cancelled, as its messages see it. The state is the
 * campaign instance's variable {@code state} (so it survives a restart and its changes are in the
 * history); each node keeps it for {@code ttl} so the pacing step does not query it per message, and
 * learns a change made on the node itself as soon as it commits.
 */
public class CampaignControl {

    public enum State { RUNNING, PAUSED, CANCELLED }

    /** The BPMN message names: sent to the campaign process, and to its messages waiting while paused. */
    public static final String PAUSE = "pauseCampaign";
    public static final String RESUME = "resumeCampaign";
    public static final String CANCEL = "cancelCampaign";
    public static final String RESUMED = "campaignResumed";

    private record Seen(State state, Instant at) {
    }

    private final Map<String, Seen> seen = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration ttl;

    CampaignControl(Clock clock, Duration ttl) {
        this.clock = clock;
        this.ttl = ttl;
    }

    /** The state of the campaign instance {@code campaignId}; running when it has none (or is gone). */
    public State state(ProcessEngineServices engine, String campaignId) {
        Instant now = clock.instant();
        Seen s = seen.get(campaignId);
        if (s != null && now.isBefore(s.at().plus(ttl))) {
            return s.state();
        }
        State state = State.RUNNING;
        try {
            Object value = engine.getRuntimeService().getVariable(campaignId, Vars.STATE);
            if (value != null) {
                state = State.valueOf(value.toString());
            }
        } catch (NullValueException e) {
            // the campaign instance has ended or was removed: nothing holds its messages back
        }
        seen.put(campaignId, new Seen(state, now));
        return state;
    }

    /** Drops what this node knows of a campaign's state, so the next look reads it afresh. */
    void forget(String campaignId) {
        seen.remove(campaignId);
    }

    /** Records a new state in the running command; this node sees it once the command commits. */
    void set(String campaignId, State state) {
        CommandContext context = Context.getCommandContext();
        Runnable learn = () -> seen.put(campaignId, new Seen(state, clock.instant()));
        if (context == null) {
            learn.run();
        } else {
            context.getTransactionContext().addTransactionListener(TransactionState.COMMITTED, c -> learn.run());
        }
    }
}
