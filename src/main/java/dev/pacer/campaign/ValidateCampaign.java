package dev.pacer.campaign;

import dev.pacer.flow.CampaignState;
import dev.pacer.provider.Providers;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

import java.time.Clock;
import java.time.Instant;

import static dev.pacer.flow.CampaignVariables.ALL_DONE;
import static dev.pacer.flow.CampaignVariables.CURSOR;
import static dev.pacer.flow.CampaignVariables.DUPLICATES;
import static dev.pacer.flow.CampaignVariables.FIRST_ROWS;
import static dev.pacer.flow.CampaignVariables.ROWS;
import static dev.pacer.flow.CampaignVariables.SIMULATED;
import static dev.pacer.flow.CampaignVariables.STARTED_AT;
import static dev.pacer.flow.CampaignVariables.STATE;

/** Checks the campaign whole, in the transaction that starts it, so a bad one is refused before anything is stored. */
public class ValidateCampaign implements JavaDelegate {

    private final Providers providers;
    private final Clock clock;

    public ValidateCampaign(Providers providers, Clock clock) {
        this.providers = providers;
        this.clock = clock;
    }

    @Override
    public void execute(DelegateExecution execution) {
        Instant now = clock.instant();
        CampaignSpec spec = CampaignInstance.spec(execution, providers, now);
        Audience.Scan scan = Audience.scan(spec);
        if (execution.getProcessBusinessKey() == null) {
            execution.setProcessBusinessKey(spec.name());
        }
        ROWS.set(execution, scan.rows());
        DUPLICATES.set(execution, scan.duplicates());
        FIRST_ROWS.set(execution, scan.firstOccurrence().toByteArray());
        CURSOR.set(execution, 0);
        STARTED_AT.set(execution, now);
        ALL_DONE.set(execution, false);
        STATE.set(execution, CampaignState.RUNNING);
        if (providers.account(spec.provider()).simulated()) {
            SIMULATED.set(execution, true);
        }
    }
}
