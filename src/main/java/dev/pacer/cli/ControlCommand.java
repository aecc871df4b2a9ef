package dev.pacer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.api.CampaignStatus;
import dev.pacer.flow.CampaignState;
import dev.pacer.flow.Processes;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Pause, resume and cancel the running campaign found by its name or instance id: on a server, a
 * request to {@code POST /api/campaigns/ID/ACTION}, which never contends with the campaign's own
 * jobs, then a look until the campaign applied it; with no server, the BPMN message, through an
 * engine on the local database, whose flows then go on when a server starts on it.
 */
abstract class ControlCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CAMPAIGN", description = "the running campaign's name or instance id")
    String campaign;

    @Option(names = "--local", description = "use the local database (pacer.data-dir) and ask no server")
    boolean localOnly;

    @Mixin
    ServerOptions server;

    @Unmatched
    List<String> springArgs = new ArrayList<>();

    @Option(names = "--reason", description = "why, kept in the campaign's history")
    String reason;

    /** How long the command waits to see the campaign apply the request. */
    private static final Duration APPLIED_WITHIN = Duration.ofSeconds(10);

    private final String message;
    private final String action;
    private final CampaignState applied;
    private final String done;

    /**
     * @param message the BPMN message a local engine correlates
     * @param action  the server's {@code /api/campaigns/CAMPAIGN/ACTION}
     * @param applied the campaign's state once it applied it
     */
    ControlCommand(String message, String action, CampaignState applied, String done) {
        this.message = message;
        this.action = action;
        this.applied = applied;
        this.done = done;
    }

    @Override
    public Integer call() throws Exception {
        return localOnly ? local() : server.run(springArgs, this::remote, this::local);
    }

    private int remote(ServerClient client) throws InterruptedException {
        JsonNode status = client.getJson("/api/campaigns/" + ServerClient.encode(campaign) + "/status");
        String id = status.path("campaignId").asText();
        String name = status.path("campaign").asText(campaign);
        if (CampaignStatus.FINISHED.equals(status.path("state").asText())) {
            System.err.println("campaign " + name + " is not running: it finished at " + status.path("endedAt").asText()
                    + " (instance " + id + ")");
            return 1;
        }
        // one request, recorded at once however busy the campaign is; it applies it in its next run
        ObjectNode body = new ObjectMapper().createObjectNode();
        if (reason != null) {
            body.put("reason", reason);
        }
        client.postJson("/api/campaigns/" + ServerClient.encode(id) + "/" + action, body);
        Instant until = Instant.now().plus(APPLIED_WITHIN);
        while (Instant.now().isBefore(until)) {
            String state = client.getJson("/api/campaigns/" + ServerClient.encode(id) + "/status").path("state").asText();
            if (state.equals(applied.name()) || applied == CampaignState.CANCELLED && state.equals(CampaignStatus.FINISHED)) {
                System.out.println("campaign " + name + " " + done + " (instance " + id + ")");
                return 0;
            }
            Thread.sleep(50);
        }
        System.out.println("campaign " + name + ": " + action + " requested (instance " + id + "); it applies it in its next run");
        return 0;
    }

    private int local() {
        try (ConfigurableApplicationContext context = Engine.start(false, Engine.historyOnly(springArgs))) {
            RuntimeService runtime = context.getBean(RuntimeService.class);
            ProcessInstance instance = runtime.createProcessInstanceQuery().processDefinitionKey(Processes.CAMPAIGN)
                    .processInstanceBusinessKey(campaign).list().stream().findFirst()
                    .orElseGet(() -> runtime.createProcessInstanceQuery().processDefinitionKey(Processes.CAMPAIGN)
                            .processInstanceId(campaign).singleResult());
            if (instance == null) {
                System.err.println("no running campaign named '" + campaign + "' (nor with that instance id) in the local database");
                return 1;
            }
            var correlation = runtime.createMessageCorrelation(message).processInstanceId(instance.getId());
            if (reason != null && applied == CampaignState.PAUSED) {
                correlation.setVariable(dev.pacer.flow.CampaignVariables.PAUSE_REASON.name(), reason);
            }
            correlation.correlateWithResult();
            System.out.println("campaign " + instance.getBusinessKey() + " " + done + " (instance " + instance.getId() + ")");
            return 0;
        }
    }
}
