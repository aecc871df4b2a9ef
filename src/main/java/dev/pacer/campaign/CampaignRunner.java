package dev.pacer.campaign;

import dev.pacer.flow.CampaignVariables;
import dev.pacer.flow.Processes;
import dev.pacer.provider.Providers;
import dev.pacer.audit.CampaignReport;
import dev.pacer.audit.ReportReader;
import org.camunda.bpm.engine.BadUserRequestException;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.runtime.VariableInstance;
import org.camunda.spin.plugin.variable.SpinValues;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/** Starts a campaign through the Java process API and follows it to its end. */
public class CampaignRunner {

    private final RuntimeService runtime;
    private final HistoryService history;
    private final ReportReader reports;
    private final Providers providers;
    private final Clock clock;

    public CampaignRunner(RuntimeService runtime, HistoryService history, ReportReader reports, Providers providers, Clock clock) {
        this.runtime = runtime;
        this.history = history;
        this.reports = reports;
        this.providers = providers;
        this.clock = clock;
    }

    /**
     * Starts a campaign. The file itself is read here; the audience is checked by the process's
     * first step, in the same transaction, so a bad campaign still starts nothing.
     *
     * @return the campaign's process instance id
     * @throws InvalidCampaignException naming the field at fault; nothing is started
     */
    public String start(String json, Path baseDir) {
        return start(json, baseDir, false);
    }

    /** @param again send a campaign that has already run again, under its name */
    public String start(String json, Path baseDir, boolean again) {
        CampaignSpec spec = CampaignSpec.parse(json, baseDir, providers.names(), clock.instant());
        try {
            return runtime.createProcessInstanceByKey(Processes.CAMPAIGN).businessKey(spec.name())
                    .setVariable(CampaignVariables.CAMPAIGN.name(), SpinValues.jsonValue(json).create())
                    .setVariable(CampaignVariables.CAMPAIGN_DIR.name(), baseDir.toString())
                    .setVariable(CampaignVariables.AGAIN.name(), again)
                    .execute().getId();
        } catch (BadUserRequestException e) {
            // the audience, checked by the first step
            if (e.getCause() instanceof InvalidCampaignException refused) {
                throw refused;
            }
            throw e;
        }
    }

    /**
     * Waits for the campaign instance to end, or to pause itself (its provider refused the
     * account: see {@link #pausedBecause}), calling {@code progress} about twice a second.
     */
    public CampaignReport awaitEnd(String campaignId, Runnable progress) throws InterruptedException {
        while (true) {
            HistoricProcessInstance pi = history.createHistoricProcessInstanceQuery().processInstanceId(campaignId).singleResult();
            if (pi != null && pi.getEndTime() != null || pausedBecause(campaignId).isPresent()) {
                return reports.read(campaignId);
            }
            if (progress != null) {
                progress.run();
            }
            Thread.sleep(500);
        }
    }

    /** Why a running campaign paused itself, when it did (its provider refused the account). */
    public Optional<String> pausedBecause(String campaignId) {
        // a query, not getVariable: an instance that has ended is no error to log
        VariableInstance reason = runtime.createVariableInstanceQuery().processInstanceIdIn(campaignId)
                .variableName(CampaignVariables.PAUSE_REASON.name()).singleResult();
        return reason == null ? Optional.empty() : Optional.ofNullable(CampaignVariables.PAUSE_REASON.of(reason.getValue()));
    }
}
