package dev.pacer.delivery;

import dev.pacer.provider.ProviderProperties;
import dev.pacer.provider.SendResult;
import dev.pacer.system.CamundaClock;
import dev.pacer.testkit.DeliveryFixture;
import dev.pacer.testkit.PacerEngine;
import dev.pacer.testkit.ScriptedSender;
import dev.pacer.testkit.TestProperties;
import org.camunda.bpm.engine.repository.Deployment;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

/**
 * What the element templates write into {@code delivery.bpmn} (the steps' extension properties)
 * and the rows of the table {@code retry-policies} are what the flow does: each test deploys the
 * shipped models with one value edited, as Modeler would save them.
 */
class StepPropertiesProcessTest {

    @RegisterExtension
    static PacerEngine engine = new PacerEngine();

    private static final Instant T0 = Instant.parse("2030-01-01T09:00:00Z");

    private final ScriptedSender sender = ScriptedSender.strict();

    @BeforeEach
    void setUp() {
        engine.clockAt(T0);
        ProviderProperties backup = ProviderProperties.of(null, "http://127.0.0.1:9", "backup-acct", "app", "user", "secret", 600, 10, 8,
                ProviderProperties.Layer.none(), ProviderProperties.Layer.none(), "user").withType("bandwidth");
        DeliveryFixture.on(new CamundaClock()).sender(sender)
                .properties(TestProperties.bandwidth("http://127.0.0.1:9", 600).account("backup", backup).build()).register();
    }

    @AfterEach
    void undeploy() {
        for (Deployment d : engine.getRepositoryService().createDeploymentQuery().list()) {
            // the delegates were unbound after the test: the instances left go without their listeners
            engine.getRepositoryService().deleteDeployment(d.getId(), true, true);
        }
    }

    private static String file(String name) throws IOException {
        return Files.readString(Path.of("bpmn", name));
    }

    private static void deploy(String delivery, String rules) {
        engine.getRepositoryService().createDeployment().name("edited")
                .addString("delivery.bpmn", delivery).addString("response-rules.dmn", rules).deploy();
    }

    private static ProcessInstance start(String provider) {
        Map<String, Object> vars = DeliveryFixture.message("+12025550101", "hello", 1, null, "PENDING");
        vars.put("provider", provider);
        return engine.startMessage(vars);
    }

    @Test
    void shouldBackOffByTheTablesRowForThePolicyTheRetryStepNames() throws IOException {
        // the step names carrier (the rules would choose default for a 503); the table's carrier row waits 45 s first
        deploy(file("delivery.bpmn").replace("<camunda:property name=\"retryPolicy\" value=\"\" />",
                        "<camunda:property name=\"retryPolicy\" value=\"carrier\" />"),
                file("response-rules.dmn").replace("&quot;PT30S&quot;", "&quot;PT45S&quot;"));
        sender.script.add(SendResult.failed(503, null, "unavailable"));
        ProcessInstance pi = start("bandwidth");
        engine.execute(engine.next(pi));
        assertThat(pi).isWaitingAt("Timer_Backoff");
        assertThat(engine.getRuntimeService().getVariable(pi.getId(), "retryPolicy")).isEqualTo("carrier");
        // decorrelated jitter: the first wait is the initial one
        assertThat(engine.getRuntimeService().getVariable(pi.getId(), "retryAt")).isEqualTo(java.util.Date.from(T0.plusSeconds(45)));
    }

    @Test
    void shouldKeepTheRulesChoiceWhenTheRetryStepNamesNoneAndLetTheSettingsReplaceItsRow() throws IOException {
        // the table's default row says 9 s; the settings' default (TestProperties: 2 s, no jitter) replaces it
        deploy(file("delivery.bpmn"), file("response-rules.dmn").replace("&quot;PT1S&quot;", "&quot;PT9S&quot;"));
        sender.script.add(SendResult.failed(503, null, "unavailable"));
        ProcessInstance pi = start("bandwidth");
        engine.execute(engine.next(pi));
        assertThat(pi).isWaitingAt("Timer_Backoff");
        assertThat(engine.getRuntimeService().getVariable(pi.getId(), "retryPolicy")).as("the rules' choice for a 503").isEqualTo("default");
        assertThat(engine.getRuntimeService().getVariable(pi.getId(), "retryAt")).isEqualTo(java.util.Date.from(T0.plusSeconds(2)));
    }

    @Test
    void shouldSendThroughTheAccountTheThrottleStepNames() throws IOException {
        deploy(file("delivery.bpmn").replace("<camunda:property name=\"provider\" value=\"\" />",
                "<camunda:property name=\"provider\" value=\"backup\" />"), file("response-rules.dmn"));
        sender.script.add(SendResult.accepted(202, "msg-1", 1));
        ProcessInstance pi = start("bandwidth");
        engine.drive(pi);
        assertThat(sender.sent).hasSize(1);
        assertThat(sender.sent.get(0).message().provider()).isEqualTo("backup");
        assertThat(engine.variable(pi, "provider")).isEqualTo("backup");
    }

    @Test
    void shouldSendThroughTheMessagesAccountWhenTheThrottleStepNamesNone() throws IOException {
        deploy(file("delivery.bpmn"), file("response-rules.dmn"));
        sender.script.add(SendResult.accepted(202, "msg-1", 1));
        ProcessInstance pi = start("bandwidth");
        engine.drive(pi);
        assertThat(sender.sent.get(0).message().provider()).isEqualTo("bandwidth");
    }
}
