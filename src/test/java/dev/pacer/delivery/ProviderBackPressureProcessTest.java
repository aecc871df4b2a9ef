package dev.pacer.delivery;

import dev.pacer.flow.Attempt;
import dev.pacer.provider.ProviderProperties;
import dev.pacer.provider.SendResult;
import dev.pacer.system.CamundaClock;
import dev.pacer.testkit.DeliveryFixture;
import dev.pacer.testkit.PacerEngine;
import dev.pacer.testkit.ScriptedSender;
import dev.pacer.testkit.TestProperties;
import org.camunda.bpm.engine.history.HistoricVariableUpdate;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a provider's answers that are not plain 429s do to a message and its scopes: Twilio's full
 * sender queue (21611) and its "too many at once" (20429), and a campaign's fallback account when
 * the provider certainly did not take a message, but never when it may have.
 */
@Deployment(resources = {"delivery.bpmn", "response-rules.dmn"})
class ProviderBackPressureProcessTest {

    @RegisterExtension
    static PacerEngine engine = new PacerEngine();

    private static final Instant T0 = Instant.parse("2030-01-01T09:00:00Z");

    private static ProviderProperties twilio() {
        return new ProviderProperties("twilio", "http://127.0.0.1:9", "acct", "app", null, null, 600, 10, 8,
                ProviderProperties.Layer.none(), ProviderProperties.Layer.none(), "user", null, null, null, 0,
                "AC0123", "token", null, 0, null, null, "America/Los_Angeles", 0);
    }

    private static ProviderProperties backup() {
        return ProviderProperties.of(null, "http://127.0.0.1:9", "backup-acct", "app", "user", "secret", 600, 10, 8,
                ProviderProperties.Layer.none(), ProviderProperties.Layer.none(), "user").withType("bandwidth");
    }

    private static DeliveryFixture.Bound fixture(ScriptedSender sender) {
        return DeliveryFixture.on(new CamundaClock()).sender(sender)
                .properties(TestProperties.bandwidth("http://127.0.0.1:9", 600).account("tw", twilio()).account("backup", backup()).build())
                .register();
    }

    private static Map<String, Object> message(String provider, String fallback) {
        Map<String, Object> vars = DeliveryFixture.message("+12025550101", "hello", 1, null, "PENDING");
        vars.put("provider", provider);
        if (fallback != null) {
            vars.put("fallbackProvider", fallback);
        }
        return vars;
    }

    /** Every attempt the trail keeps for the instance, in order. */
    private static List<Attempt> attempts(ProcessInstance pi) {
        return engine.getHistoryService().createHistoricDetailQuery().processInstanceId(pi.getId()).variableUpdates().list().stream()
                .map(HistoricVariableUpdate.class::cast)
                .filter(u -> u.getVariableName().equals("attempt"))
                .map(u -> Attempt.parse((String) u.getValue()))
                .sorted(Comparator.comparingInt(Attempt::n))
                .toList();
    }

    @Test
    void shouldHoldOnlyTheSenderWhoseQueueAtTwilioIsFullAndSendAgainLater() {
        engine.clockAt(T0);
        ScriptedSender sender = ScriptedSender.accepting();
        sender.script.add(SendResult.rateLimited(400, Duration.ofSeconds(5), "queue-full", "queue full").withErrorCode("21611"));
        DeliveryFixture.Bound bound = fixture(sender);
        ProcessInstance pi = engine.startMessage(message("tw", null));
        engine.drive(pi);

        assertThat(engine.variable(pi, "outcome")).isEqualTo("ACCEPTED");
        assertThat(sender.sent).hasSize(2);
        assertThat(Duration.between(sender.sent.get(0).at(), sender.sent.get(1).at())).as("the sender's hold kept")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(5));
        assertThat(bound.pacer().view("tw:AC0123:sender:+12025550100").rateLimits()).isEqualTo(1);
        assertThat(bound.pacer().view("tw:AC0123").rateLimits()).as("the account's pace is left alone").isZero();
        assertThat(attempts(pi)).extracting(Attempt::responseClass).containsExactly("RATE_LIMITED", "ACCEPTED");
    }

    @Test
    void shouldTakeFewerInFlightAfterTwilios20429AndSendAgainAtOnce() {
        engine.clockAt(T0);
        ScriptedSender sender = ScriptedSender.accepting();
        sender.script.add(SendResult.rateLimited(429, null, "too-many-requests", "Too Many Requests").withErrorCode("20429"));
        DeliveryFixture.Bound bound = fixture(sender);
        ProcessInstance pi = engine.startMessage(message("tw", null));
        engine.drive(pi);

        assertThat(engine.variable(pi, "outcome")).isEqualTo("ACCEPTED");
        assertThat(sender.sent).hasSize(2);
        assertThat(Duration.between(sender.sent.get(0).at(), sender.sent.get(1).at())).as("no wait told, none kept")
                .isLessThan(Duration.ofSeconds(1));
        assertThat(bound.pacer().view("tw:AC0123").places()).as("none beside it in flight: one place, until ten are taken in a row").isEqualTo(1);
        assertThat(bound.pacer().view("tw:AC0123").rateLimits()).as("its rate is not cut").isZero();
    }

    @Test
    void shouldSendThroughTheFallbackOnceWhenTheProviderCertainlyDidNotTakeIt() {
        engine.clockAt(T0);
        ScriptedSender sender = ScriptedSender.accepting();
        sender.script.add(SendResult.failed(0, "HttpHostConnectException", "Connection refused"));
        fixture(sender);
        ProcessInstance pi = engine.startMessage(message("bandwidth", "backup"));
        engine.drive(pi);

        assertThat(engine.variable(pi, "outcome")).isEqualTo("ACCEPTED");
        assertThat(engine.variable(pi, "provider")).isEqualTo("backup");
        assertThat(sender.sent).extracting(s -> s.message().provider()).containsExactly("bandwidth", "backup");
        assertThat(attempts(pi)).extracting(Attempt::provider).as("the trail shows which provider sent it")
                .containsExactly("bandwidth", "backup");
    }

    @Test
    void shouldFailOverOnlyOnce() {
        engine.clockAt(T0);
        ScriptedSender sender = ScriptedSender.accepting();
        sender.script.add(SendResult.failed(0, "HttpHostConnectException", "Connection refused"));
        sender.script.add(SendResult.failed(0, "HttpHostConnectException", "Connection refused"));
        fixture(sender);
        ProcessInstance pi = engine.startMessage(message("bandwidth", "backup"));
        engine.drive(pi);

        assertThat(engine.variable(pi, "outcome")).isEqualTo("ACCEPTED");
        assertThat(sender.sent).extracting(s -> s.message().provider()).as("the fallback's own failure is retried on it")
                .containsExactly("bandwidth", "backup", "backup");
    }

    @Test
    void shouldNeverFailOverASendWhoseAnswerWasLost() {
        engine.clockAt(T0);
        ScriptedSender sender = ScriptedSender.accepting();
        sender.script.add(SendResult.lost(0, "SocketTimeoutException", "Read timed out"));
        DeliveryFixture.on(new CamundaClock()).sender(sender)
                .sentMessages(send -> dev.pacer.provider.Lookup.found("bw-1", "listed"))
                .properties(TestProperties.bandwidth("http://127.0.0.1:9", 600).account("backup", backup()).build())
                .register();
        ProcessInstance pi = engine.startMessage(message("bandwidth", "backup"));
        engine.drive(pi);

        assertThat(engine.variable(pi, "outcome")).isEqualTo("ACCEPTED");
        assertThat(engine.variable(pi, "providerMessageId")).isEqualTo("bw-1");
        assertThat(sender.sent).extracting(s -> s.message().provider()).as("one send, through the primary only").containsExactly("bandwidth");
    }
}
