package dev.pacer.security;

import dev.pacer.system.PacerApplication;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.net.Socket;
import java.io.OutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code pacer serve} as a careful operator would probe it: no door open without a login, no way to run code through it. */
@org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability
@SpringBootTest(classes = PacerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:security;DB_CLOSE_DELAY=-1",
        "pacer.simulator.enabled=true",
        "PACER_ADMIN_USER=ops",
        "PACER_ADMIN_PASSWORD=" + SecurityTest.PASSWORD})
class SecurityTest {

    static final String PASSWORD = "s3cret-for-tests";

    @LocalServerPort
    int port;
    @Autowired
    private org.camunda.bpm.engine.ProcessEngine engine;
    @Autowired
    IdentityService identity;
    @Autowired
    RepositoryService repository;
    @Autowired
    RuntimeService runtime;

    private HttpResponse<String> request(String method, String path, String login, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (login != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(login.getBytes(StandardCharsets.UTF_8)));
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldRefuseTheRestApiWithoutALogin() throws Exception {
        assertThat(request("GET", "/engine-rest/process-definition", null, null).statusCode()).isEqualTo(401);
        // a wrong password for a user that does not exist (one for ops would hold its logins back a while, as it should)
        assertThat(request("GET", "/engine-rest/process-definition", "nobody:wrong", null).statusCode()).isEqualTo(401);
        assertThat(request("GET", "/engine-rest/process-definition", "ops:" + PASSWORD, null).statusCode()).isEqualTo(200);
        assertThat(request("POST", "/engine-rest/user/create", null,
                "{\"profile\": {\"id\": \"intruder\"}, \"credentials\": {\"password\": \"x\"}}").statusCode()).isEqualTo(401);
        assertThat(identity.createUserQuery().userId("intruder").count()).isZero();
    }

    @Test
    void shouldRefusePacersOwnEndpointsAndTheMetricsWithoutALogin() throws Exception {
        assertThat(request("GET", "/api/campaigns/none/report", null, null).statusCode()).isEqualTo(401);
        assertThat(request("GET", "/actuator/prometheus", null, null).statusCode()).isEqualTo(401);
        assertThat(request("GET", "/actuator/prometheus", "ops:" + PASSWORD, null).body()).contains("pacer_send_attempts_total");
        assertThat(request("GET", "/api/campaigns/none/report", "ops:" + PASSWORD, null).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldRefuseDeploymentsOverRestEvenToTheAdministrator() throws Exception {
        HttpResponse<String> r = request("POST", "/engine-rest/deployment/create", "ops:" + PASSWORD, "");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("deployments over the REST API are off");
    }

    @Test
    void shouldKeepTheApplicationsBeansAndItsSettingsOutOfReachOfAModelsExpressions() {
        // a model that reads the settings (and so the credentials) through an expression is refused at deployment
        var model = Bpmn.createExecutableProcess("leak").camundaHistoryTimeToLive(1).startEvent()
                .serviceTask("Task_Leak").name("Leak").camundaExpression("${execution.setVariable('stolen', pacerProperties)}").endEvent().done();
        long before = repository.createDeploymentQuery().count();
        assertThatThrownBy(() -> repository.createDeployment().addModelInstance("leak.bpmn", model).deploy())
                .isInstanceOf(ProcessEngineException.class)
                .hasMessageContaining("leak.bpmn: serviceTask Task_Leak (Leak)").hasMessageContaining("reads 'pacerProperties'");
        assertThat(repository.createDeploymentQuery().count()).as("nothing of it stored").isEqualTo(before);
        // and an expression that got past it would still see the models' beans only
        var beans = ((org.camunda.bpm.engine.spring.SpringProcessEngineConfiguration) engine.getProcessEngineConfiguration()).getBeans();
        assertThat(beans.containsKey("pacerProperties")).isFalse();
        assertThat(beans.get("pacerProperties")).isNull();
        assertThat(beans.containsKey("throttle")).isTrue();
    }

    @Test
    void shouldAnswerOnlyToItsOwnNames() throws Exception {
        assertThat(rawStatus("evil.example")).as("a rebound DNS name").isEqualTo(421);
        assertThat(rawStatus("127.0.0.1:" + port)).isNotEqualTo(421);
        assertThat(rawStatus("localhost:" + port)).isNotEqualTo(421);
    }

    @Test
    void shouldApplyTheConfiguredAdministratorAndKeepNoDemoLogin() {
        assertThat(identity.checkPassword("ops", PASSWORD)).isTrue();
        assertThat(identity.createUserQuery().userId("ops").memberOfGroup("camunda-admin").count()).isEqualTo(1);
        assertThat(identity.createUserQuery().userId("demo").count()).isZero();
    }

    private HttpResponse<String> startCampaign(String variables) throws Exception {
        return request("POST", "/engine-rest/process-definition/key/campaign/start", "ops:" + PASSWORD, "{\"variables\": " + variables + "}");
    }

    private static String json(String campaign) {
        return "{\"type\": \"Json\", \"value\": " + new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(campaign) + "}";
    }

    @Test
    void shouldNeverReadAServerFileForACampaignStartedOverRest() throws Exception {
        String passwd = "{\"name\": \"x\", \"provider\": \"bandwidth\", \"from\": \"+12025550100\", \"text\": \"hi\", "
                + "\"recipientsFile\": \"/etc/passwd\"}";
        HttpResponse<String> byPath = startCampaign("{\"campaign\": " + json(passwd) + "}");
        // the start API answers a refusal from the campaign's first step with a 400 that names it
        assertThat(byPath.statusCode()).as(byPath.body()).isEqualTo(400);
        assertThat(byPath.body()).contains("recipientsFile").contains("pacer.audience-dir").doesNotContain("root:");
        String relative = passwd.replace("/etc/passwd", "passwd");
        HttpResponse<String> byFolder = startCampaign("{\"campaign\": " + json(relative) + ", \"campaignDir\": {\"value\": \"/etc\"}}");
        assertThat(byFolder.statusCode()).as(byFolder.body()).isEqualTo(400);
        assertThat(byFolder.body()).contains("campaignDir: '/etc' is outside the audience folder").doesNotContain("root:");
        assertThat(runtime.createProcessInstanceQuery().processDefinitionKey("campaign").count()).as("nothing started").isZero();
    }

    @Test
    void shouldRefuseALongStringOrAKeyGivenTwiceWithA400NamingIt() throws Exception {
        String big = "x".repeat(4001);
        HttpResponse<String> longOne = startCampaign("{\"campaign\": {\"type\": \"String\", \"value\": \"" + big + "\"}}");
        assertThat(longOne.statusCode()).isEqualTo(400);
        assertThat(longOne.body()).contains("variable 'campaign'").contains("at most 4000 characters").contains("Json");
        HttpResponse<String> twice = startCampaign("{\"campaign\": " + json("{\"name\": \"a\", \"name\": \"b\"}") + "}");
        assertThat(twice.statusCode()).as(twice.body()).isEqualTo(400);
        assertThat(twice.body()).contains("Duplicate field 'name'");
    }

    /** The status of a GET sent with the given {@code Host} header (the JDK's client will not let one set it). */
    private int rawStatus(String host) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write(("GET /engine-rest/engine HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            return Integer.parseInt(status.substring(9, 12));
        }
    }
}
