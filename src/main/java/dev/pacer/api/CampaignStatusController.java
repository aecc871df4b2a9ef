package dev.pacer.api;

import dev.pacer.audit.CampaignReport;
import dev.pacer.audit.ReportReader;
import dev.pacer.flow.CampaignState;
import dev.pacer.flow.Processes;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static dev.pacer.flow.CampaignVariables.CURSOR;
import static dev.pacer.flow.CampaignVariables.DUPLICATES;
import static dev.pacer.flow.CampaignVariables.PAUSE_REASON;
import static dev.pacer.flow.CampaignVariables.ROWS;
import static dev.pacer.flow.CampaignVariables.SIMULATED;
import static dev.pacer.flow.CampaignVariables.STATE;

/**
 * The campaigns that run on the server and how far each has come ({@code pacer status}): the
 * running ones at {@code GET /api/campaigns}, one (running or finished, by name or instance id) at
 * {@code GET /api/campaigns/NAME/status}. Read from the database as the report is, so every node of
 * a cluster answers the same.
 */
@RestController
@RequestMapping("/api/campaigns")
public class CampaignStatusController {

    private final HistoryService history;
    private final ReportReader reports;

    public CampaignStatusController(HistoryService history, ReportReader reports) {
        this.history = history;
        this.reports = reports;
    }

    /** The campaigns running now (paused ones included), the oldest first. */
    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    public List<CampaignStatus> running() {
        return history.createHistoricProcessInstanceQuery().processDefinitionKey(Processes.CAMPAIGN).unfinished()
                .orderByProcessInstanceStartTime().asc().list().stream().map(this::status).toList();
    }

    /** One campaign: by name the running one, else the newest that ran; or by its instance id. */
    @GetMapping(value = "/{campaign}/status", produces = MediaType.APPLICATION_JSON_VALUE)
    public CampaignStatus status(@PathVariable String campaign) {
        return find(campaign).map(this::status).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND,
                "no campaign named " + campaign + " (nor with that instance id) on this server"));
    }

    private Optional<HistoricProcessInstance> find(String nameOrId) {
        var byName = history.createHistoricProcessInstanceQuery().processDefinitionKey(Processes.CAMPAIGN)
                .processInstanceBusinessKey(nameOrId);
        Optional<HistoricProcessInstance> running = byName.unfinished().orderByProcessInstanceStartTime().desc().listPage(0, 1)
                .stream().findFirst();
        if (running.isPresent()) {
            return running;
        }
        HistoricProcessInstance byId = history.createHistoricProcessInstanceQuery().processDefinitionKey(Processes.CAMPAIGN)
                .processInstanceId(nameOrId).singleResult();
        if (byId != null) {
            return Optional.of(byId);
        }
        return history.createHistoricProcessInstanceQuery().processDefinitionKey(Processes.CAMPAIGN).processInstanceBusinessKey(nameOrId)
                .orderByProcessInstanceStartTime().desc().listPage(0, 1).stream().findFirst();
    }

    private CampaignStatus status(HistoricProcessInstance campaign) {
        String id = campaign.getId();
        Map<String, Object> vars = new HashMap<>();
        for (HistoricVariableInstance v : history.createHistoricVariableInstanceQuery().processInstanceId(id)
                .variableNameIn(ROWS.name(), DUPLICATES.name(), CURSOR.name(), STATE.name(), PAUSE_REASON.name(), SIMULATED.name())
                .disableCustomObjectDeserialization().list()) {
            if (v.getValue() != null) {
                vars.put(v.getName(), v.getValue());
            }
        }
        // counted as the report counts them, wherever the messages' outcomes are kept
        CampaignReport report = reports.read(id);
        Map<String, Long> outcomes = new TreeMap<>(report.outcomes());
        long done = outcomes.values().stream().mapToLong(Long::longValue).sum();
        int rows = orZero(ROWS.of(vars.get(ROWS.name())));
        int duplicates = orZero(DUPLICATES.of(vars.get(DUPLICATES.name())));
        CampaignState state = STATE.of(vars.get(STATE.name()));
        boolean ended = campaign.getEndTime() != null;
        return new CampaignStatus(campaign.getBusinessKey(), id,
                ended ? CampaignStatus.FINISHED : (state == null ? CampaignState.RUNNING : state).name(),
                ended ? null : PAUSE_REASON.of(vars.get(PAUSE_REASON.name())),
                campaign.getStartTime().toInstant(), ended ? campaign.getEndTime().toInstant() : null, rows, duplicates,
                rows - duplicates, orZero(CURSOR.of(vars.get(CURSOR.name()))), done, report.pending(), outcomes,
                Boolean.TRUE.equals(SIMULATED.of(vars.get(SIMULATED.name()))));
    }

    private static int orZero(Integer n) {
        return n == null ? 0 : n;
    }

    @ExceptionHandler(ResponseStatusException.class)
    ResponseEntity<Map<String, String>> refused(ResponseStatusException e) {
        return ResponseEntity.status(e.getStatusCode()).contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("error", String.valueOf(e.getReason())));
    }
}
