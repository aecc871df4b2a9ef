package dev.pacer.campaign;

import dev.pacer.flow.CampaignState;
import dev.pacer.flow.Processes;
import dev.pacer.provider.Providers;
import org.camunda.bpm.engine.BadUserRequestException;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;

import static dev.pacer.flow.CampaignVariables.AGAIN;
import static dev.pacer.flow.CampaignVariables.ALL_DONE;
import static dev.pacer.flow.CampaignVariables.CAMPAIGN_DIR;
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
    private final Path audienceDir;

    /**
     * @param audienceDir the folder campaigns started through the process API may read their
     *                    recipients' files from ({@code pacer.audience-dir}), or null for none
     */
    public ValidateCampaign(Providers providers, Clock clock, Path audienceDir) {
        this.providers = providers;
        this.clock = clock;
        this.audienceDir = audienceDir == null ? null : audienceDir.toAbsolutePath().normalize();
    }

    @Override
    public void execute(DelegateExecution execution) {
        try {
            validate(execution);
        } catch (InvalidCampaignException e) {
            // the process API answers 400 (409 for a name that runs) with this message, and nothing is stored
            throw new BadUserRequestException("campaign refused: " + e.getMessage(), e);
        }
    }

    private void validate(DelegateExecution execution) {
        Instant now = clock.instant();
        if (execution.getProcessEngineServices().getIdentityService().getCurrentAuthentication() != null) {
            // started by a login over the process API, not by `pacer run` on this machine: its files
            // can only be the audience folder's, whatever folder it names
            CAMPAIGN_DIR.set(execution, apiFolder(CAMPAIGN_DIR.get(execution)));
        }
        CampaignSpec spec = CampaignInstance.spec(execution, providers, now);
        once(execution, spec.name());
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

    /**
     * A campaign's name is its own while it runs, and sending it again is asked for: a second start
     * of a running campaign is refused naming the running one, and a finished one runs again only
     * with the variable {@code again} ({@code pacer run --again}).
     */
    private static void once(DelegateExecution execution, String name) {
        var engine = execution.getProcessEngineServices();
        String self = execution.getProcessInstanceId();
        engine.getRuntimeService().createProcessInstanceQuery().processDefinitionKey(Processes.CAMPAIGN).processInstanceBusinessKey(name)
                .list().stream().filter(pi -> !pi.getId().equals(self)).findFirst().ifPresent(running -> {
                    throw new CampaignRunningException(name, running.getId());
                });
        if (!AGAIN.get(execution, false)) {
            engine.getHistoryService().createHistoricProcessInstanceQuery().processDefinitionKey(Processes.CAMPAIGN)
                    .processInstanceBusinessKey(name).finished().orderByProcessInstanceEndTime().desc().listPage(0, 1).stream()
                    .findFirst().ifPresent(done -> {
                        throw new InvalidCampaignException("campaign '" + name + "' has already run (instance " + done.getId()
                                + ", finished " + done.getEndTime().toInstant() + "): `pacer run --again` (the variable again=true) "
                                + "sends it again");
                    });
        }
    }

    /** The folder a campaign started over the API reads from: inside the audience folder, or none ({@code ""}). */
    private String apiFolder(String given) {
        if (given == null) {
            return audienceDir == null ? "" : audienceDir.toString();
        }
        Path dir = audienceDir == null ? null : audienceDir.resolve(given).normalize();
        if (dir == null || !dir.startsWith(audienceDir)) {
            throw new InvalidCampaignException("campaignDir: '" + given + "' is outside the audience folder (pacer.audience-dir"
                    + (audienceDir == null ? ", not set on this server)" : " " + audienceDir + ")"));
        }
        return dir.toString();
    }
}
