package dev.pacer.campaign;

import dev.pacer.flow.CampaignState;
import dev.pacer.flow.CampaignVariables;
import dev.pacer.provider.Providers;
import dev.pacer.throttle.Pacer;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * Resume: the waiting messages are woken, and the campaign's idle scopes restart at their pace,
 * one permit first, so the resume is no burst.
 */
public class ResumeCampaign implements JavaDelegate {

    private final CampaignControl control;
    private final Providers providers;
    private final Pacer pacer;

    public ResumeCampaign(CampaignControl control, Providers providers, Pacer pacer) {
        this.control = control;
        this.providers = providers;
        this.pacer = pacer;
    }

    @Override
    public void execute(DelegateExecution execution) {
        if (CampaignInstance.state(execution) != CampaignState.PAUSED) {
            return;
        }
        control.set(execution, CampaignState.RUNNING);
        CampaignVariables.PAUSE_REASON.remove(execution);
        CampaignSpec spec = CampaignInstance.spec(execution, providers);
        pacer.settle(providers.scopes(spec.provider(), spec.from(), null));
        control.wakePaused(execution);
    }
}
