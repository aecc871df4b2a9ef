package dev.pacer.campaign;

import dev.pacer.flow.CampaignState;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * Pause: no new sends start (requests in flight finish); messages that reach their pacing step
 * wait for the resume, and the campaign dispatches no more. A paused campaign stays paused
 * across restarts (its state is a process variable).
 */
public class PauseCampaign implements JavaDelegate {

    private final CampaignControl control;

    public PauseCampaign(CampaignControl control) {
        this.control = control;
    }

    @Override
    public void execute(DelegateExecution execution) {
        if (CampaignInstance.state(execution) != CampaignState.CANCELLED) {
            control.set(execution, CampaignState.PAUSED);
        }
    }
}
