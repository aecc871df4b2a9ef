package dev.pacer.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.flow.Processes;
import dev.pacer.system.PacerApplication;
import org.camunda.bpm.engine.RuntimeService;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A refused start over Camunda's REST API, against a live server: a campaign whose name runs is a
 * 409 naming the running instance, an invalid one a 400 naming the field, each one log line and no
 * stack trace: neither the engine's copy of the exception (ENGINE-16004) nor the REST API's
 * (ENGINE-REST-HTTP500).
 */
@SpringBootTest(classes = PacerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:refusals;DB_CLOSE_DELAY=-1",
        "pacer.simulator.enabled=true",
        // slow enough that the first campaign still runs when it is started again
        "pacer.providers.bandwidth.segments-per-minute=6",
        "pacer.simulator.segments-per-minute=6",
        "logging.level.dev.pacer.api=INFO",
        "PACER_ADMIN_USER=ops",
        "PACER_ADMIN_PASSWORD=" + RefusalRestTest.PASSWORD})
class RefusalRestTest {

    static final String PASSWORD = "s3cret-for-refusals";
    private static final ObjectMapper JSON = new ObjectMapper();

    @LocalServerPort
    int port;
    @Autowired
    RuntimeService runtime;

    /** What the engine's command and REST loggers and Pacer's refusals log, past the filters and levels in force. */
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private static final List<String> LOGGERS = List.of("org.camunda.bpm.engine.context", "org.camunda.bpm.engine.rest.exception", "dev.pacer.api");

    @BeforeEach
    void listen() {
        log.start();
        LOGGERS.forEach(name -> ((Logger) LoggerFactory.getLogger(name)).addAppender(log));
    }

    @AfterEach
    void stopListening() {
        LOGGERS.forEach(name -> ((Logger) LoggerFactory.getLogger(name)).detachAppender(log));
    }

    /** The one line each refusal is worth, and nothing else. */
    private void assertLoggedOnce(int status, String request) {
        assertThat(log.list).as("every event").singleElement().satisfies(e -> {
            assertThat(e.getLoggerName()).isEqualTo(Refusal.class.getName());
            assertThat(e.getFormattedMessage()).startsWith(request + " refused (" + status + "): ");
            assertThat(e.getThrowableProxy()).isNull();
        });
    }

    @Test
    void shouldAnswer409NamingTheRunningInstanceWhenARunningCampaignIsStartedAgain() throws Exception {
        String recipients = IntStream.range(0, 20).mapToObj(i -> "{\"to\": \"+120255581" + (10 + i) + "\"}").collect(Collectors.joining(","));
        String campaign = "{\"name\": \"twice\", \"provider\": \"bandwidth\", \"from\": \"+12025550100\", \"text\": \"hi\", \"recipients\": ["
                + recipients + "]}";
        HttpResponse<String> first = start(campaign);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        String firstId = JSON.readTree(first.body()).path("id").asText();
        try {
            HttpResponse<String> second = start(campaign);

            assertThat(second.statusCode()).as(second.body()).isEqualTo(409);
            assertThat(second.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
            JsonNode body = JSON.readTree(second.body());
            assertThat(body.path("type").asText()).isEqualTo("CampaignRunning");
            assertThat(body.path("campaign").asText()).isEqualTo("twice");
            assertThat(body.path("runningInstanceId").asText()).isEqualTo(firstId);
            assertThat(body.path("message").asText()).startsWith("campaign refused: a campaign named 'twice' is running (instance " + firstId);
            assertThat(runtime.createProcessInstanceQuery().processDefinitionKey(Processes.CAMPAIGN).count()).as("one runs").isEqualTo(1);
            assertLoggedOnce(409, "POST /engine-rest/process-definition/key/campaign/start");
        } finally {
            // cancelled as a user would, not deleted under its running dispatch job (whose failure the
            // engine would log while a later test listens)
            HttpResponse<String> cancel = send("POST", "/api/campaigns/" + firstId + "/cancel", "");
            assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(202);
            java.time.Instant until = java.time.Instant.now().plusSeconds(30);
            while (runtime.createProcessInstanceQuery().processInstanceId(firstId).count() > 0) {
                assertThat(java.time.Instant.now()).as("the cancelled campaign ends").isBefore(until);
                Thread.sleep(50);
            }
        }
    }

    @Test
    void shouldAnswer400NamingTheFieldOfAnInvalidCampaign() throws Exception {
        HttpResponse<String> bad = start("{\"name\": \"bad\", \"provider\": \"bandwidth\", \"from\": \"12025550100\", \"text\": \"hi\", "
                + "\"recipients\": [{\"to\": \"+12025550101\"}]}");

        assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
        JsonNode body = JSON.readTree(bad.body());
        assertThat(body.path("type").asText()).isEqualTo("BadUserRequestException");
        assertThat(body.path("message").asText()).isEqualTo("campaign refused: from: '12025550100' is not in E.164 form (+ and 7 to 15 digits)");
        assertThat(runtime.createProcessInstanceQuery().processDefinitionKey(Processes.CAMPAIGN).processInstanceBusinessKey("bad").count())
                .as("nothing stored").isZero();
        assertLoggedOnce(400, "POST /engine-rest/process-definition/key/campaign/start");
    }

    @Test
    void shouldAnswerAMessageNoCampaignWaitsForWith400InOneLine() throws Exception {
        HttpResponse<String> nobody = send("POST", "/engine-rest/message", "{\"messageName\": \"pauseCampaign\", \"processInstanceId\": \"none\"}");

        assertThat(nobody.statusCode()).as(nobody.body()).isEqualTo(400);
        assertThat(JSON.readTree(nobody.body()).path("message").asText()).contains("No process definition or execution matches");
        assertLoggedOnce(400, "POST /engine-rest/message");
    }

    @Test
    void shouldStillAnswerTheRestApisOwnRefusalsAsBefore() throws Exception {
        HttpResponse<String> unknown = send("POST", "/engine-rest/process-definition/key/no-such-process/start", "{}");
        assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).path("type").asText()).isEqualTo("RestException");
    }

    private HttpResponse<String> start(String campaign) throws Exception {
        String variables = "{\"variables\": {\"campaign\": {\"type\": \"Json\", \"value\": " + JSON.valueToTree(campaign) + "}}}";
        return send("POST", "/engine-rest/process-definition/key/campaign/start", variables);
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("ops:" + PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }
}
