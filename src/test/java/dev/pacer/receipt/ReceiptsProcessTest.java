package dev.pacer.receipt;

import dev.pacer.flow.Processes;
import dev.pacer.provider.ProviderEvent;
import dev.pacer.system.CamundaClock;
import dev.pacer.testkit.DeliveryFixture;
import dev.pacer.testkit.PacerEngine;
import dev.pacer.testkit.ScriptedSender;
import dev.pacer.testkit.TestProperties;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Delivery receipts on a controlled clock: each receipt correlated exactly once with the message
 * waiting for it, early receipts kept for their message, unknown ones dropped, the wait given up
 * after the timeout, and the carriers' limits that only receipts tell: a daily cap (the account
 * holds until midnight Pacific, the message is sent again once) and a volume limit (sent again
 * once, then failed).
 */
@Deployment(resources = {"delivery.bpmn", "response-rules.dmn"})
class ReceiptsProcessTest {

    @RegisterExtension
    static PacerEngine engine = new PacerEngine();

    private static final Instant T0 = Instant.parse("2030-01-01T09:00:00Z");

    private ScriptedSender sender;
    private DeliveryFixture.Bound bound;

    private void setUp() {
        engine.clockAt(T0);
        sender = ScriptedSender.accepting();
        bound = DeliveryFixture.on(new CamundaClock()).sender(sender).properties(TestProperties.bandwidth("http://127.0.0.1:9", 600)
                .receipts().build()).register();
    }

    private ProcessInstance send() {
        ProcessInstance pi = engine.startMessage(DeliveryFixture.message("+12025550101", "hello", 1, null, "PENDING"));
        for (int i = 0; i < 10 && engine.next(pi) != null && !waitingForReceipt(pi); i++) {
            engine.execute(engine.next(pi));
        }
        return pi;
    }

    private static boolean waitingForReceipt(ProcessInstance pi) {
        return engine.getRuntimeService().createExecutionQuery().processInstanceId(pi.getId())
                .messageEventSubscriptionName(Processes.RECEIPT).count() > 0;
    }

    private static boolean ended(ProcessInstance pi) {
        return engine.getRuntimeService().createProcessInstanceQuery().processInstanceId(pi.getId()).count() == 0;
    }

    private static ProviderEvent.Receipt receipt(String id, boolean delivered, String code) {
        return new ProviderEvent.Receipt(id, null, "+12025550101", delivered, code, delivered ? "ok" : "failed", T0);
    }

    @Test
    void shouldWaitForTheReceiptAndEndDelivered() {
        setUp();
        ProcessInstance pi = send();
        assertThat(waitingForReceipt(pi)).as("accepted, waiting for its receipt").isTrue();
        assertThat(bound.receipts().take("bandwidth", receipt("id-1", true, null))).isEqualTo(Receipts.Taken.APPLIED);
        assertThat(ended(pi)).isTrue();
        assertThat(engine.variable(pi, "outcome")).isEqualTo("DELIVERED");
        assertThat(bound.receipts().take("bandwidth", receipt("id-1", true, null))).as("posted again").isEqualTo(Receipts.Taken.DUPLICATE);
        assertThat(bound.stats().receiptCounts()).containsEntry("delivered", 1L);
    }

    @Test
    void shouldEndFailedWithTheCodeAndItsMeaning() {
        setUp();
        ProcessInstance pi = send();
        bound.receipts().take("bandwidth", receipt("id-1", false, "4470"));
        assertThat(engine.variable(pi, "outcome")).isEqualTo("FAILED");
        assertThat((String) engine.variable(pi, "reason")).contains("4470").contains("filtered as spam");
    }

    @Test
    void shouldSuppressARecipientWhoseReceiptSaysItOptedOut() {
        setUp();
        ProcessInstance pi = send();
        bound.receipts().take("bandwidth", receipt("id-1", false, "4775"));
        assertThat(engine.variable(pi, "outcome")).isEqualTo("FAILED");
        assertThat(bound.suppression().contains("+12025550101")).isTrue();
    }

    @Test
    void shouldKeepAReceiptThatComesBeforeTheSendsAnswerAndApplyItThen() {
        setUp();
        assertThat(bound.receipts().take("bandwidth", receipt("id-1", true, null))).isEqualTo(Receipts.Taken.KEPT);
        ProcessInstance pi = send();
        assertThat(ended(pi)).as("no wait: its receipt was in").isTrue();
        assertThat(engine.variable(pi, "outcome")).isEqualTo("DELIVERED");
    }

    @Test
    void shouldApplyAReceiptKeptWhileItsMessageWasNotWaitingYetOnTheSweep() {
        setUp();
        ProcessInstance pi = send();
        // as if posted while the send's transaction had not committed: kept, not applied
        bound.receipts().take("other-account", receipt("id-1", true, null));
        assertThat(ended(pi)).isFalse();
        assertThat(bound.receipts().sweep()).as("not this account's message").isZero();
        engine.clockAt(T0.plus(Duration.ofMinutes(11)));
        bound.receipts().sweep();
        assertThat(bound.receipts().unknown()).as("kept past keep-unmatched, then dropped").isEqualTo(1);
    }

    @Test
    void shouldStayAcceptedSayingSoWhenNoReceiptComesInTime() {
        setUp();
        ProcessInstance pi = send();
        engine.drive(pi);
        assertThat(engine.variable(pi, "outcome")).isEqualTo("ACCEPTED");
        assertThat((String) engine.variable(pi, "reason")).isEqualTo("no receipt within PT2H");
        assertThat(engine.ended(pi)).isEqualTo(T0.plus(Duration.ofHours(2)));
        assertThat(bound.receipts().take("bandwidth", receipt("id-1", true, null))).as("too late: kept, matched by nothing")
                .isEqualTo(Receipts.Taken.KEPT);
    }

    @Test
    void shouldHoldTheAccountUntilTheDailyCapResetsAndSendTheMessageAgainOnce() {
        setUp();
        ProcessInstance pi = send();
        bound.receipts().take("bandwidth", receipt("id-1", false, "4780"));
        Instant reset = ZonedDateTime.of(2030, 1, 2, 0, 0, 0, 0, ZoneId.of("America/Los_Angeles")).toInstant();
        assertThat(bound.pacer().view("bandwidth:acct").pausedUntil()).as("held until midnight Pacific").isAfterOrEqualTo(reset);
        for (int i = 0; i < 10 && !waitingForReceipt(pi); i++) {
            engine.execute(engine.next(pi));
        }
        assertThat(sender.sent).hasSize(2);
        assertThat(sender.sent.get(1).at()).as("sent again after the reset").isAfterOrEqualTo(reset);
        bound.receipts().take("bandwidth", receipt("id-2", true, null));
        assertThat(engine.variable(pi, "outcome")).isEqualTo("DELIVERED");
    }

    @Test
    void shouldSendAgainOnceAfterAVolumeLimitThenFail() {
        setUp();
        ProcessInstance pi = send();
        bound.receipts().take("bandwidth", receipt("id-1", false, "4785"));
        for (int i = 0; i < 10 && !waitingForReceipt(pi); i++) {
            engine.execute(engine.next(pi));
        }
        assertThat(sender.sent).as("a new attempt in the trail, not a silent duplicate").hasSize(2);
        assertThat(engine.variable(pi, "attempts")).isEqualTo(2);
        assertThat(bound.pacer().view("bandwidth:acct").rateLimits()).as("the account's pace cut").isEqualTo(1);
        bound.receipts().take("bandwidth", receipt("id-2", false, "4785"));
        assertThat(engine.variable(pi, "outcome")).isEqualTo("FAILED");
        assertThat((String) engine.variable(pi, "reason")).contains("sent again once already");
    }

    @Test
    void shouldNotWaitForAReceiptFromAProviderThatPostsNone() {
        setUp();
        dev.pacer.provider.ProviderProperties settings = dev.pacer.provider.ProviderProperties.of("genesys", "http://127.0.0.1:9", "acct",
                "app", null, null, 60, 1, 4, dev.pacer.provider.ProviderProperties.Layer.none(), dev.pacer.provider.ProviderProperties.Layer.none(),
                "account");
        java.util.Map<String, Object> vars = new java.util.HashMap<>();
        var message = dev.pacer.delivery.MessageRef.detached("c1/1", vars, engine);
        bound.receipts().accepted(message, new dev.pacer.provider.ProviderAccount("gc", "genesys", "http://127.0.0.1:9", settings,
                false, "gc-client", false, false), "gc-message-1");
        assertThat(vars).as("Genesys Cloud posts no receipts: nothing to wait for").containsEntry("receipt", "NONE");
        bound.receipts().accepted(message, new dev.pacer.provider.ProviderAccount("bandwidth", "bandwidth", "http://127.0.0.1:9",
                settings, false, "acct", false, true), "bw-message-1");
        assertThat(vars).containsEntry("receipt", "AWAIT");
    }

    @Test
    void shouldNotWaitForReceiptsWhenTheyAreOff() {
        engine.clockAt(T0);
        sender = ScriptedSender.accepting();
        DeliveryFixture.on(new CamundaClock()).sender(sender).register();
        ProcessInstance pi = engine.startMessage(DeliveryFixture.message("+12025550101", "hello", 1, null, "PENDING"));
        engine.drive(pi);
        assertThat(engine.variable(pi, "outcome")).isEqualTo("ACCEPTED");
        assertThat(engine.variable(pi, "receipt")).isEqualTo("NONE");
    }

    @Test
    void shouldAnswerAReceiptForAnUnknownMessageAndChangeNothing() {
        setUp();
        assertThat(bound.receipts().take("bandwidth", receipt("nobody", true, null))).isEqualTo(Receipts.Taken.KEPT);
        assertThat(engine.getRuntimeService().createProcessInstanceQuery().count()).isZero();
        engine.clockAt(T0.plus(Duration.ofMinutes(11)));
        bound.receipts().sweep();
        assertThat(bound.receipts().unknown()).isEqualTo(1);
    }
}
