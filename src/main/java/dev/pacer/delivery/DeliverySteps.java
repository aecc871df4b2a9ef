package dev.pacer.delivery;

import dev.pacer.campaign.CampaignControl;
import dev.pacer.flow.CampaignState;
import dev.pacer.flow.Outcome;
import dev.pacer.flow.Slot;
import dev.pacer.provider.Providers;
import dev.pacer.throttle.ScopeLimit;
import org.camunda.bpm.engine.delegate.DelegateExecution;

import java.util.List;

import static dev.pacer.flow.MessageVariables.CAMPAIGN_ID;
import static dev.pacer.flow.MessageVariables.CAMPAIGN_RATE;
import static dev.pacer.flow.MessageVariables.FROM;
import static dev.pacer.flow.MessageVariables.OUTCOME;
import static dev.pacer.flow.MessageVariables.PROVIDER;
import static dev.pacer.flow.MessageVariables.REASON;
import static dev.pacer.flow.MessageVariables.SLOT;

/** What the steps of the delivery flow share: a message's pacing scopes, its campaign's state, and ending it. */
public class DeliverySteps {

    private final Providers providers;
    private final CampaignControl control;

    public DeliverySteps(Providers providers, CampaignControl control) {
        this.providers = providers;
        this.control = control;
    }

    /**
     * The scopes a message is paced in: its provider's account, API user and (if limited) sender
     * number, and its campaign's cap when the campaign has one ({@code campaignRate}).
     */
    public List<String> scopes(DelegateExecution execution) {
        Integer rate = CAMPAIGN_RATE.get(execution);
        ScopeLimit campaign = null;
        if (rate != null) {
            campaign = ScopeLimit.of("campaign:" + CAMPAIGN_ID.get(execution, execution.getProcessInstanceId()), rate, Integer.MAX_VALUE);
        }
        return providers.scopes(PROVIDER.require(execution), FROM.require(execution), campaign);
    }

    /** The state of the message's campaign (running for a message on its own). */
    public CampaignState campaignState(DelegateExecution execution) {
        String id = CAMPAIGN_ID.get(execution);
        return id == null ? CampaignState.RUNNING : control.state(execution.getProcessEngineServices(), id);
    }

    /** Drops what this node knows of the message's campaign's state, so the next look reads it afresh. */
    public void forgetCampaignState(DelegateExecution execution) {
        String id = CAMPAIGN_ID.get(execution);
        if (id != null) {
            control.forget(id);
        }
    }

    /** Pauses the message's campaign with {@code reason}, once this step has committed. */
    public void pauseCampaign(DelegateExecution execution, String reason) {
        control.pauseAfterCommit(execution.getProcessEngineServices(), CAMPAIGN_ID.require(execution), reason);
    }

    /** The message has its outcome: the flow goes to the outcome's end event without waiting. */
    public void end(DelegateExecution execution, Outcome outcome, String reason) {
        SLOT.set(execution, Slot.END);
        OUTCOME.set(execution, outcome);
        if (reason != null) {
            REASON.set(execution, reason);
        }
    }
}
