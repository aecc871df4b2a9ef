package dev.pacer.campaign;

import dev.pacer.flow.CampaignState;
import dev.pacer.provider.Providers;
import org.camunda.bpm.engine.delegate.DelegateExecution;

import java.nio.file.Path;
import java.time.Instant;

import static dev.pacer.flow.CampaignVariables.CAMPAIGN;
import static dev.pacer.flow.CampaignVariables.CAMPAIGN_DIR;
import static dev.pacer.flow.CampaignVariables.STARTED_AT;
import static dev.pacer.flow.CampaignVariables.STATE;

/** What the campaign's steps read of their instance: its file, where it was read from, its state. */
final class CampaignInstance {

    private CampaignInstance() {
    }

    /**
     * The campaign as its instance holds it, checked again as at its start (a deadline it gave
     * then is not refused now for having come closer).
     */
    static CampaignSpec spec(DelegateExecution execution, Providers providers) {
        return CampaignSpec.parse(json(execution), dir(execution), providers.names(), STARTED_AT.require(execution).minusSeconds(1));
    }

    /** The campaign as given, checked against {@code now}. */
    static CampaignSpec spec(DelegateExecution execution, Providers providers, Instant now) {
        return CampaignSpec.parse(json(execution), dir(execution), providers.names(), now);
    }

    static CampaignState state(DelegateExecution execution) {
        return STATE.get(execution, CampaignState.RUNNING);
    }

    private static String json(DelegateExecution execution) {
        String json = CAMPAIGN.get(execution);
        if (json == null) {
            throw new InvalidCampaignException("missing process variable '" + CAMPAIGN.name() + "' (the campaign JSON)");
        }
        return json;
    }

    /** The folder its {@code recipientsFile} is read from; null for none (a campaign started over the API with no audience folder). */
    private static Path dir(DelegateExecution execution) {
        String dir = CAMPAIGN_DIR.get(execution, ".");
        return dir.isEmpty() ? null : Path.of(dir);
    }
}
