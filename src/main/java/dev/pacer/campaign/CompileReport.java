package dev.pacer.campaign;

import dev.pacer.audit.CampaignReport;
import dev.pacer.flow.AfterCommit;
import java.util.function.Consumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.audit.ReportReader;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

import static dev.pacer.flow.CampaignVariables.DUPLICATES;
import static dev.pacer.flow.CampaignVariables.REPORT;
import static dev.pacer.flow.CampaignVariables.ROWS;
import static dev.pacer.flow.CampaignVariables.SIMULATED;
import static dev.pacer.flow.CampaignVariables.STARTED_AT;

/** Reads the report from the history tables and keeps it on the campaign instance. */
public class CompileReport implements JavaDelegate {

    private final ReportReader reports;
    private final ObjectMapper json;
    private final Consumer<CampaignReport> finished;

    /** @param finished told of each campaign's report (the downstream webhook) */
    public CompileReport(ReportReader reports, ObjectMapper json, Consumer<CampaignReport> finished) {
        this.reports = reports;
        this.json = json;
        this.finished = finished;
    }

    @Override
    public void execute(DelegateExecution execution) throws JsonProcessingException {
        var report = reports.read(execution.getProcessInstanceId(), execution.getProcessBusinessKey(), STARTED_AT.require(execution),
                ROWS.require(execution), DUPLICATES.require(execution), SIMULATED.get(execution, false));
        REPORT.set(execution, json.writeValueAsString(report));
        AfterCommit.run(() -> finished.accept(report));
    }
}
