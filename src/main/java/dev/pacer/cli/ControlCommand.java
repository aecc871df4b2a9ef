package dev.pacer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.api.CampaignStatus;
import dev.pacer.flow.Processes;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Pause, resume and cancel: a BPMN message to the running campaign, found by its name or instance
 * id, through the server's Camunda REST API ({@code POST /engine-rest/message}, correlated by the
 * instance id so that a name that ran before is no ambiguity); with no server, through an engine
 * on the local database, whose flows then go on when a server starts on it.
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

    private final String message;
    private final String done;

    ControlCommand(String message, String done) {
        this.message = message;
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
        String body = new ObjectMapper().createObjectNode().put("messageName", message).put("processInstanceId", id).toString();
        HttpRequest request = client.request("/engine-rest/message").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> response = client.exchange(request);
        // The message meets the campaign instance while its own jobs run: the engine refuses one
        // of two concurrent updates (optimistic locking, a 409), and the message is simply sent again.
        for (int attempt = 1; attempt < 20 && response.statusCode() == 409 && response.body().contains("OptimisticLocking"); attempt++) {
            Thread.sleep(50L * attempt);
            response = client.exchange(request);
        }
        if (response.statusCode() / 100 != 2) {
            String said = ServerClient.said(response.body());
            if (said.contains("No process definition or execution matches")) {
                System.err.println("campaign " + name + " (instance " + id + ") does not wait for " + message + " now");
                return 1;
            }
            throw client.refusal(response.statusCode(), response.body());
        }
        System.out.println("campaign " + name + " " + done + " (instance " + id + ")");
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
            runtime.createMessageCorrelation(message).processInstanceId(instance.getId()).correlateWithResult();
            System.out.println("campaign " + instance.getBusinessKey() + " " + done + " (instance " + instance.getId() + ")");
            return 0;
        }
    }
}
