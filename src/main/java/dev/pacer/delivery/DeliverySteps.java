package dev.pacer.delivery;

import dev.pacer.campaign.CampaignControl;
import dev.pacer.flow.CampaignState;
import dev.pacer.flow.Outcome;
import dev.pacer.flow.Slot;
import dev.pacer.provider.Providers;
import dev.pacer.throttle.ScopeLimit;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.VariableScope;

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
        return scopes(execution, execution.getProcessInstanceId());
    }

    /** The scopes of a message with these variables; {@code ownId} names its cap when it has no campaign. */
    public List<String> scopes(VariableScope vars, String ownId) {
        Integer rate = CAMPAIGN_RATE.get(vars);
        ScopeLimit campaign = null;
        if (rate != null) {
            campaign = ScopeLimit.of("campaign:" + CAMPAIGN_ID.get(vars, ownId), rate, Integer.MAX_VALUE);
        }
        return providers.scopes(PROVIDER.require(vars), FROM.require(vars), campaign);
    }

    /** The state of the message's campaign (running for a message on its own). */
    public CampaignState campaignState(DelegateExecution execution) {
        return campaignState(MessageRef.of(execution));
    }

    public CampaignState campaignState(MessageRef message) {
        String id = CAMPAIGN_ID.get(message.vars());
        return id == null ? CampaignState.RUNNING : control.state(message.engine(), id);
    }

    /** Drops what this node knows of the message's campaign's state, so the next look reads it afresh. */
    public void forgetCampaignState(DelegateExecution execution) {
        String id = CAMPAIGN_ID.get(execution);
        if (id != null) {
            control.forget(id);
        }
    }

    /** Pauses the message's campaign with {@code reason}, once this step has committed. */
    public void pauseCampaign(MessageRef message, String reason) {
        control.pauseAfterCommit(message.engine(), CAMPAIGN_ID.require(message.vars()), reason);
    }

    /** The message has its outcome: the flow goes to the outcome's end event without waiting. */
    public void end(VariableScope execution, Outcome outcome, String reason) {
        SLOT.set(execution, Slot.END);
        OUTCOME.set(execution, outcome);
        if (reason != null) {
            REASON.set(execution, reason);
        }
    }
}
