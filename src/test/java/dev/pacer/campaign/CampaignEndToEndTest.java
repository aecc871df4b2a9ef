package dev.pacer.campaign;

import dev.pacer.system.PacerApplication;

import dev.pacer.cli.PacerCommand;
import dev.pacer.provider.Providers;

import dev.pacer.audit.CampaignReport;
import dev.pacer.provider.bandwidth.BandwidthSimulator;
import org.camunda.bpm.engine.HistoryService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Whole campaigns through BPMN, Camel and HTTP against the built-in simulator. */
@org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability // the Prometheus endpoint, as in production
@SpringBootTest(classes = PacerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:e2e;DB_CLOSE_DELAY=-1",
        "pacer.providers.bandwidth.segments-per-minute=3000",
        "pacer.simulator.enabled=true",
        "pacer.simulator.segments-per-minute=3000",
        "pacer.simulator.queue-capacity=60",
        "pacer.dispatch.interval=PT0.2S",
        "PACER_ADMIN_PASSWORD=" + CampaignEndToEndTest.PASSWORD})
class CampaignEndToEndTest {

    static final String PASSWORD = "e2e-admin-secret";
    private static final String LOGIN = "Basic " + java.util.Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes());

    @Autowired
    CampaignRunner runner;
    @Autowired
    Providers providers;
    @Autowired
    HistoryService history;
    @Autowired
    dev.pacer.audit.ReportReader reports;
    @Autowired
    org.camunda.bpm.engine.RuntimeService runtime;
    @Autowired
    javax.sql.DataSource dataSource;
    @LocalServerPort
    int port;

    private static String campaign(String name, String recipients) {
        return """
                {"name": "%s", "provider": "bandwidth", "from": "+12025550100",
                 "text": "Hello {{name}}, your code is {{code}}.", "recipients": [%s]}""".formatted(name, recipients);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldAccountForEveryMessageExactlyOnce() throws InterruptedException {
        StringBuilder r = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            String name = i % 5 == 0 ? "Zoë Ирина" : i % 7 == 0 ? "A very long name that makes this message run over one segment " .repeat(3) : "Ada";
            r.append("{\"to\": \"+1202555%04d\", \"name\": \"%s\", \"code\": \"%d\"},".formatted(1000 + i, name, 100 + i));
        }
        r.append("{\"to\": \"+12025551000\", \"name\": \"Ada\", \"code\": \"1\"},");   // duplicate of the first
        r.append("{\"to\": \"555-0100\", \"name\": \"Ada\", \"code\": \"1\"},");        // not E.164
        r.append("{\"to\": \"+12025552000\", \"name\": \"Ada\"}");                       // no code
        BandwidthSimulator.Stats before = (BandwidthSimulator.Stats) providers.simulator("bandwidth").orElseThrow().stats();

        String id = runner.start(campaign("e2e", r.toString()), Path.of("."));
        CampaignReport report = runner.awaitEnd(id, null);

        BandwidthSimulator.Stats after = (BandwidthSimulator.Stats) providers.simulator("bandwidth").orElseThrow().stats();
        assertThat(report.recipients()).isEqualTo(63);
        assertThat(report.duplicates()).isEqualTo(1);
        assertThat(report.messages()).isEqualTo(62);
        assertThat(report.pending()).isZero();
        assertThat(report.outcomes()).containsEntry("ACCEPTED", 60L).containsEntry("INVALID", 2L);
        assertThat(after.accepted() - before.accepted()).as("the provider took each message once").isEqualTo(60);
        assertThat(after.duplicates() - before.duplicates()).isZero();
        assertThat(after.insideToldWait() - before.insideToldWait()).isZero();
        assertThat(report.sendAttempts()).isEqualTo(after.requests() - before.requests());
        assertThat(report.segments()).isGreaterThan(60);
        long instances = history.createHistoricProcessInstanceQuery().processDefinitionKey("delivery")
                .processInstanceBusinessKeyLike(id + "/%").finished().count();
        long batched = new org.springframework.jdbc.core.JdbcTemplate(dataSource).queryForObject("select count(*) from "
                + dev.pacer.delivery.BatchedMessages.TABLE + " where CAMPAIGN_ID_ = ?", Long.class, id);
        assertThat(instances + batched).as("every message once: a row each, or an instance when it had to wait").isEqualTo(62);
        assertThat(batched).as("a well-paced campaign is sent in batches").isPositive();
    }

    @Test
    void shouldRefuseAnInvalidCampaignWholeNamingTheField() {
        long before = history.createHistoricProcessInstanceQuery().processDefinitionKey("campaign").count();
        assertThatThrownBy(() -> runner.start(campaign("bad", "{\"to\": \"+12025550101\", \"name\": \"x\", \"code\": \"1\"}")
                .replace("+12025550100", "12345"), Path.of(".")))
                .isInstanceOf(InvalidCampaignException.class).hasMessageContaining("from");
        assertThatThrownBy(() -> runner.start(campaign("bad", "{\"to\": \"+12025550101\", \"name\": \"x\"}"), Path.of(".")))
                .hasMessageContaining("{{code}}");
        assertThat(history.createHistoricProcessInstanceQuery().processDefinitionKey("campaign").count()).isEqualTo(before);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldStartACampaignThroughTheCamundaRestApi() throws Exception {
        String json = campaign("rest", "{\"to\": \"+12025553000\", \"name\": \"Ada\", \"code\": \"7\"}");
        String body = "{\"variables\": {\"campaign\": {\"type\": \"String\", \"value\": " + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(json) + "}}}";
        HttpResponse<String> response = post("/engine-rest/process-definition/key/campaign/start", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String id = new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).get("id").asText();
        CampaignReport report = runner.awaitEnd(id, null);
        assertThat(report.campaign()).isEqualTo("rest");
        assertThat(report.outcomes()).containsEntry("ACCEPTED", 1L);

        HttpResponse<String> refused = post("/engine-rest/process-definition/key/campaign/start",
                body.replace("bandwidth", "carrier-pigeon"));
        assertThat(refused.statusCode()).isGreaterThanOrEqualTo(400);
        assertThat(refused.body()).contains("carrier-pigeon");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldSendARealtimeMessageSubmittedThroughTheRestApiAndRefuseOneWithoutText() throws Exception {
        String body = """
                {"businessKey": "otp-rest", "variables": {
                  "to": {"value": "+12025554000"}, "from": {"value": "+12025550100"},
                  "text": {"value": "Your code is 424242"}, "ttl": {"value": "PT2M"}}}""";
        HttpResponse<String> response = post("/engine-rest/process-definition/key/delivery/start", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String id = new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).get("id").asText();
        until(() -> history.createHistoricProcessInstanceQuery().processInstanceId(id).finished().count() == 1);
        assertThat(history.createHistoricVariableInstanceQuery().processInstanceId(id).variableName("outcome").singleResult().getValue())
                .isEqualTo("ACCEPTED");
        assertThat(history.createHistoricVariableInstanceQuery().processInstanceId(id).variableName("priority").singleResult().getValue())
                .as("a message on its own is real-time").isEqualTo("REALTIME");

        HttpResponse<String> refused = post("/engine-rest/process-definition/key/delivery/start", body.replace("\"text\"", "\"txt\""));
        assertThat(refused.statusCode()).isGreaterThanOrEqualTo(400);
        assertThat(refused.body()).contains("message refused: missing variable 'text'");
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldPauseResumeAndCancelARunningCampaignFromTheCommandLine() throws Exception {
        StringBuilder r = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            r.append(i == 0 ? "" : ",").append("{\"to\": \"+1202555%04d\"}".formatted(5000 + i));
        }
        String json = """
                {"name": "ctl", "provider": "bandwidth", "from": "+12025550100", "text": "Hi", "maxRate": 60, "recipients": [%s]}"""
                .formatted(r);
        String id = runner.start(json, Path.of("."));
        String server = "http://127.0.0.1:" + port;
        until(() -> accepted(id) >= 2);
        assertThat(cli("pause", "ctl", "--server", server)).isZero();
        assertThat(runtime.getVariable(id, "state")).isEqualTo("PAUSED");
        // every live message of the campaign comes to rest waiting for the resume
        until(() -> {
            long live = runtime.createProcessInstanceQuery().processDefinitionKey("delivery").processInstanceBusinessKeyLike(id + "/%").count();
            long parked = runtime.createExecutionQuery().activityId("Event_Resumed").count();
            return live == parked;
        });
        long sent = accepted(id);
        assertThat(sent).as("at 1 a second, the pause came well before the end").isLessThan(20);

        assertThat(cli("resume", "ctl", "--server", server)).isZero();
        assertThat(runtime.getVariable(id, "state")).isEqualTo("RUNNING");
        until(() -> accepted(id) > sent);
        assertThat(cli("cancel", "ctl", "--server", server)).isZero();
        CampaignReport report = runner.awaitEnd(id, null);
        assertThat(report.outcomes().get("CANCELLED")).isPositive();
        assertThat(report.outcomes().get("ACCEPTED") + report.outcomes().get("CANCELLED")).isEqualTo(20);
        assertThat(report.pending()).isZero();

        assertThat(cli("pause", "no-such-campaign", "--server", server)).isEqualTo(1);

        var pauses = dev.pacer.audit.CampaignTimeline.read(reports, id).pauses();
        assertThat(pauses).as("the chart marks the pause, from history").hasSize(1);
        assertThat(pauses.get(0).to()).isAfter(pauses.get(0).from());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldServeTheAuditAndTheLiveMetricsOverHttp() throws Exception {
        String json = campaign("audit-http", "{\"to\": \"+12025557001\", \"name\": \"Ada\", \"code\": \"1\"},"
                + "{\"to\": \"+12025557002\", \"name\": \"Bo\", \"code\": \"2\"}, {\"to\": \"555\", \"name\": \"C\", \"code\": \"3\"}");
        runner.awaitEnd(runner.start(json, Path.of(".")), null);
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();

        HttpResponse<String> report = get("/api/campaigns/audit-http/report");
        assertThat(report.statusCode()).as(report.body()).isEqualTo(200);
        var r = mapper.readTree(report.body());
        assertThat(r.path("outcomes").path("ACCEPTED").asLong()).isEqualTo(2);
        assertThat(r.path("outcomes").path("INVALID").asLong()).isEqualTo(1);
        assertThat(r.path("configuredSegmentsPerMinute").asInt()).isEqualTo(3000);
        assertThat(r.path("chart").asText()).isEqualTo("/api/campaigns/audit-http/chart.svg");

        HttpResponse<String> csv = get("/api/campaigns/audit-http/messages.csv");
        assertThat(csv.body().lines()).hasSize(4).first().asString().startsWith("row,to,outcome,reason");
        assertThat(csv.body()).contains("+12025557002,ACCEPTED").contains(",INVALID,");
        assertThat(get("/api/campaigns/audit-http/chart.svg").body()).contains("<svg").contains("Campaign audit-http");
        assertThat(get("/api/campaigns/audit-http/chart.png").statusCode()).isEqualTo(200);

        HttpResponse<String> trail = get("/api/campaigns/audit-http/messages/%2B12025557001/trail");
        assertThat(trail.statusCode()).as(trail.body()).isEqualTo(200);
        var t = mapper.readTree(trail.body());
        assertThat(t.path("outcome").asText()).isEqualTo("ACCEPTED");
        var attempt = t.path("steps").findValue("attempt");
        assertThat(attempt.path("status").asInt()).isEqualTo(202);
        assertThat(attempt.path("providerMessageId").asText()).isEqualTo(t.path("providerMessageId").asText()).isNotBlank();
        assertThat(get("/api/messages/" + t.path("messageId").asText() + "/trail").body()).contains("\"outcome\":\"ACCEPTED\"");

        HttpResponse<String> missing = get("/api/campaigns/no-such-campaign/report");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("no campaign named no-such-campaign");
        assertThat(get("/api/campaigns/audit-http/messages/%2B19999999999/trail").statusCode()).isEqualTo(404);

        String metrics = get("/actuator/prometheus").body();
        assertThat(metrics).containsPattern("pacer_messages_total\\{application=\"pacer\",outcome=\"accepted\"} [1-9]")
                .containsPattern("pacer_messages_total\\{application=\"pacer\",outcome=\"invalid\"} [1-9]")
                .contains("pacer_provider_rate_limited_total").contains("pacer_send_attempts_total")
                .containsPattern("pacer_scope_limit_segments_per_minute\\{application=\"pacer\",campaign=\"\",scope=\"bandwidth[^\"]*\"} 3000")
                .contains("pacer_scope_ceiling_segments_per_minute")
                .contains("pacer_scope_pace_segments_per_minute").contains("pacer_scope_in_flight")
                .contains("pacer_messages_waiting{application=\"pacer\",reason=\"throttle\"}")
                .contains("pacer_messages_waiting{application=\"pacer\",reason=\"send_window\"}");
    }

    private long accepted(String campaignId) {
        return reports.read(campaignId).outcomes().getOrDefault("ACCEPTED", 0L);
    }

    /** A control command as the operator types it, logging in as the administrator. */
    private static int cli(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--user", "admin", "--password", PASSWORD));
        return PacerCommand.commandLine().execute(all.toArray(String[]::new));
    }

    /** Waits for a condition the server reaches on its own, checking every 50 ms. */
    private static void until(java.util.function.BooleanSupplier condition) throws InterruptedException {
        while (!condition.getAsBoolean()) {
            Thread.sleep(50);
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header("Authorization", LOGIN).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").header("Authorization", LOGIN)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
