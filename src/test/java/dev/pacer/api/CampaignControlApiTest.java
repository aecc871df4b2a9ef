package dev.pacer.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.cli.ServerClient;
import dev.pacer.system.PacerApplication;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.ManagementService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pause, resume and cancel over {@code /api/campaigns/NAME/ACTION} while a campaign sends batch
 * after batch: each request is answered 202 on the first try, the campaign applies it, and no
 * batch is rolled back for it (a BPMN message to the busy instance would meet its dispatch job's
 * update: one of the two refused, and a refused batch redone).
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(classes = PacerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:control-api;DB_CLOSE_DELAY=-1",
        "pacer.simulator.enabled=true",
        "pacer.providers.bandwidth.segments-per-minute=6000",
        "pacer.simulator.segments-per-minute=6000",
        "PACER_ADMIN_USER=ops",
        "PACER_ADMIN_PASSWORD=" + CampaignControlApiTest.PASSWORD})
class CampaignControlApiTest {

    static final String PASSWORD = "s3cret-for-control-tests";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RECIPIENTS = 3000;

    @LocalServerPort
    int port;

    @Autowired
    ManagementService management;

    @Autowired
    HistoryService history;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("ops:" + PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String campaign(String name, int recipients) {
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < recipients; i++) {
            list.append(i == 0 ? "" : ",").append("{\"to\": \"+1202555").append(String.format("%04d", i)).append("\"}");
        }
        return "{\"name\": \"" + name + "\", \"provider\": \"bandwidth\", \"from\": \"+12025550100\", \"text\": \"Hi\", "
                + "\"recipients\": [" + list + "]}";
    }

    private JsonNode status(ServerClient client) {
        return client.getJson("/api/campaigns/busy/status");
    }

    private void awaitState(ServerClient client, String state) throws InterruptedException {
        Instant until = Instant.now().plusSeconds(20);
        while (!status(client).path("state").asText().equals(state)) {
            assertThat(Instant.now()).as("the campaign applies the request: " + state).isBefore(until);
            Thread.sleep(20);
        }
    }

    private void awaitDone(ServerClient client, long atLeast) throws InterruptedException {
        Instant until = Instant.now().plusSeconds(30);
        while (status(client).path("done").asLong() < atLeast) {
            assertThat(Instant.now()).as("messages go out").isBefore(until);
            Thread.sleep(20);
        }
    }

    @Test
    void shouldPauseResumeAndCancelABusyCampaignOnTheFirstTryWithoutRollingABatchBack(CapturedOutput output) throws Exception {
        ServerClient client = new ServerClient(URI.create("http://127.0.0.1:" + port), "ops", PASSWORD);
        String id = client.startCampaign(campaign("busy", RECIPIENTS));
        long done = 50;
        for (int round = 0; round < 3; round++) {
            awaitDone(client, done);
            HttpResponse<String> pause = post("/api/campaigns/busy/pause", "{\"reason\": \"round " + round + "\"}");
            assertThat(pause.statusCode()).as(pause.body()).isEqualTo(202);
            assertThat(JSON.readTree(pause.body()).path("instance").asText()).isEqualTo(id);
            awaitState(client, "PAUSED");
            assertThat(status(client).path("pauseReason").asText()).isEqualTo("round " + round);
            HttpResponse<String> resume = post("/api/campaigns/" + id + "/resume", "");
            assertThat(resume.statusCode()).as(resume.body()).isEqualTo(202);
            awaitState(client, "RUNNING");
            done = status(client).path("done").asLong() + 50;
        }
        awaitDone(client, done);
        HttpResponse<String> cancel = post("/api/campaigns/busy/cancel", "");
        assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(202);
        client.awaitEnded(id, Duration.ofSeconds(60));

        JsonNode report = client.report(id);
        long accepted = report.path("outcomes").path("ACCEPTED").asLong();
        assertThat(accepted).as("sent before the cancel").isBetween(done, (long) RECIPIENTS - 1);
        assertThat(accepted + report.path("outcomes").path("CANCELLED").asLong()).as("every message has an outcome").isEqualTo(RECIPIENTS);
        assertThat(history.createHistoricVariableInstanceQuery().processInstanceId(id).variableName("lastControl").singleResult().getValue())
                .asString().startsWith("cancel by ops at ");
        assertThat(output.getAll()).as("no update of the campaign was refused, no batch was redone")
                .doesNotContain("OptimisticLocking").doesNotContain("never committed");
        assertThat(management.createJobQuery().withException().count()).isZero();

        HttpResponse<String> ended = post("/api/campaigns/" + id + "/pause", "");
        assertThat(ended.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(ended.body()).path("error").asText()).contains("no running campaign named " + id);
        assertThat(post("/api/campaigns/busy/stop", "").statusCode()).isEqualTo(404);
    }
}
