package dev.pacer.delivery;

import dev.pacer.audit.CampaignReport;
import dev.pacer.metrics.DeliveryStats;
import dev.pacer.provider.Lookup;
import dev.pacer.provider.MessageSender;
import dev.pacer.provider.OutgoingMessage;
import dev.pacer.provider.SendInDoubt;
import dev.pacer.provider.SendResult;
import dev.pacer.system.CamundaClock;
import dev.pacer.testkit.DeliveryFixture;
import dev.pacer.testkit.PacerEngine;
import dev.pacer.testkit.ScriptedSender;
import dev.pacer.testkit.TestProperties;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

/**
 * A send whose answer was lost, or whose job never committed, is not sent again blindly: the send
 * ledger holds what went out, the settle step asks the provider, and only what it cannot tell
 * follows {@code onDoubt}. The provider here is a script and a message list the test controls.
 */
@Deployment(resources = {"delivery.bpmn", "response-rules.dmn"})
class SendInDoubtProcessTest {

    @RegisterExtension
    static PacerEngine engine = new PacerEngine();

    private static final Instant T0 = Instant.parse("2030-01-01T09:00:00Z");
    private static final SendResult TIMED_OUT = SendResult.lost(0, "SocketTimeoutException", "Read timed out");

    private final ScriptedSender provider = ScriptedSender.accepting();
    /** What the provider's message list answers, in order; then it cannot tell. */
    private final Deque<Lookup> list = new ArrayDeque<>();
    private final List<SendInDoubt> asked = new ArrayList<>();
    private final List<Instant> askedAt = new ArrayList<>();
    private DeliveryFixture fixture;

    @BeforeEach
    void setUp() {
        engine.clockAt(T0);
        fixture = DeliveryFixture.on(new CamundaClock()).sender(provider).sentMessages(send -> {
            asked.add(send);
            askedAt.add(ClockUtil.now().toInstant());
            Lookup next = list.poll();
            return next != null ? next : Lookup.unknown("the list gave no answer");
        });
    }

    @Test
    void shouldSettleALostAnswerAsSentWhenTheProviderListsTheMessage() {
        fixture.register();
        provider.script.add(TIMED_OUT);
        list.add(Lookup.found("bw-17", "Bandwidth lists it"));
        ProcessInstance pi = start(Map.of());
        engine.drive(pi);

        assertThat(pi).hasPassedInOrder("Task_Send", "Boundary_InDoubt", "Timer_Settle", "Task_Settle", "End_Settled", "End_Accepted");
        assertThat(provider.sent).as("nothing sent twice").hasSize(1);
        assertThat(engine.variable(pi, "outcome")).isEqualTo("ACCEPTED");
        assertThat(engine.variable(pi, "providerMessageId")).isEqualTo("bw-17");
        assertThat(engine.variable(pi, "doubt")).isEqualTo("SENT");
        assertThat(asked).singleElement().satisfies(send -> {
            assertThat(send.from()).isEqualTo("+12025550100");
            assertThat(send.to()).isEqualTo("+12025550101");
            assertThat(send.startedAt()).as("when the request went out, recorded before it did").isEqualTo(T0);
        });
        assertThat(askedAt.get(0)).as("the provider's list may lag: asked after settle-after").isEqualTo(T0.plusSeconds(30));
        assertThat(DeliveryFixture.jdbc().queryForObject("select count(*) from " + SendLedger.TABLE, Integer.class))
                .as("an ended message's sends leave the ledger").isZero();
    }

    @Test
    void shouldSendAgainWhenTheProviderHasNoSuchMessage() {
        fixture.register();
        provider.script.add(TIMED_OUT);
        list.add(Lookup.none("no message from +12025550100 to +12025550101"));
        ProcessInstance pi = start(Map.of());
        engine.drive(pi);

        assertThat(pi).hasPassedInOrder("Task_Send", "Task_Settle", "Task_Throttle", "Task_Send", "End_Accepted");
        assertThat(provider.sent).hasSize(2);
        assertThat(engine.variable(pi, "doubt")).isEqualTo("NOT_SENT");
        assertThat(engine.variable(pi, "attempts")).as("the send in doubt is an attempt in the trail").isEqualTo(2);
    }

    @Test
    void shouldSkipWhatTheProviderCannotTellByDefaultAfterTheLastSearch() {
        fixture.register();
        provider.script.add(TIMED_OUT);
        ProcessInstance pi = start(Map.of());
        engine.drive(pi);

        assertThat(pi).hasPassed("End_InDoubt").isEnded();
        assertThat(provider.sent).as("a text sent twice cannot be taken back").hasSize(1);
        assertThat(asked).as("three searches").hasSize(3);
        assertThat(askedAt).as("30 s after the send, then 60 s and 120 s apart")
                .containsExactly(T0.plusSeconds(30), T0.plusSeconds(90), T0.plusSeconds(210));
        assertThat(engine.variable(pi, "outcome")).isEqualTo("IN_DOUBT");
        assertThat(engine.variable(pi, "doubt")).isEqualTo("SKIPPED");
        assertThat((String) engine.variable(pi, "reason")).contains("could not tell", "onDoubt skip");
    }

    @Test
    void shouldResendWhatTheProviderCannotTellWhenTheMessageSaysSo() {
        fixture.register();
        provider.script.add(TIMED_OUT);
        ProcessInstance pi = start(Map.of("onDoubt", "resend"));
        engine.drive(pi);

        assertThat(provider.sent).hasSize(2);
        assertThat(engine.variable(pi, "outcome")).isEqualTo("ACCEPTED");
        assertThat(engine.variable(pi, "doubt")).isEqualTo("RESENT");
    }

    @Test
    void shouldNotSendAgainWhenTheJobDiedMidSend() {
        // the request reaches the provider, then the node dies before the answer is recorded: the
        // job's transaction never commits, and the job runs again (on this node or another)
        MessageSender dying = new MessageSender() {
            boolean died;

            @Override
            public SendResult send(OutgoingMessage message) {
                provider.send(message);
                if (!died) {
                    died = true;
                    throw new IllegalStateException("the node stopped mid-send");
                }
                return SendResult.accepted(202, "bw-second", 1);
            }
        };
        fixture.sender(dying).register();
        list.add(Lookup.found("bw-first", "Bandwidth lists it"));
        ProcessInstance pi = start(Map.of());

        assertThatThrownBy(() -> engine.execute(engine.next(pi))).hasMessageContaining("the node stopped");
        engine.drive(pi);

        assertThat(provider.sent).as("the job ran twice; the request went once").hasSize(1);
        assertThat(engine.variable(pi, "outcome")).isEqualTo("ACCEPTED");
        assertThat(engine.variable(pi, "providerMessageId")).isEqualTo("bw-first");
        assertThat(engine.variable(pi, "doubt")).isEqualTo("SENT");
    }

    @Test
    void shouldUseTheRecordedAnswerWhenTheJobFailedAfterIt() {
        // the answer is recorded, then the job's transaction fails (here: a counter throws once)
        fixture.stats(failingOnceAfterTheAnswer()).register();
        provider.script.add(SendResult.accepted(202, "bw-only", 1));
        ProcessInstance pi = start(Map.of());

        assertThatThrownBy(() -> engine.execute(engine.next(pi))).hasMessageContaining("the commit failed");
        engine.drive(pi);

        assertThat(provider.sent).hasSize(1);
        assertThat(asked).as("no need to ask: the answer was kept").isEmpty();
        assertThat(engine.variable(pi, "outcome")).isEqualTo("ACCEPTED");
        assertThat(engine.variable(pi, "providerMessageId")).isEqualTo("bw-only");
        assertThat(engine.variable(pi, "attempts")).isEqualTo(1);
    }

    @Test
    void shouldNotSendAgainWhenARealtimeStartFailedAfterItsSendAndTheCallerRetries() {
        // a real-time message on its own is sent in its start call's transaction; that transaction
        // fails after the send, and the caller starts it again with the same idempotency key
        fixture.stats(failingOnceAfterTheAnswer()).register();
        provider.script.add(SendResult.accepted(202, "bw-once", 1));
        Map<String, Object> vars = new HashMap<>(DeliveryFixture.message("+12025550101", "your code is 4242", 1, null, "PENDING"));
        vars.put("priority", "realtime");

        assertThatThrownBy(() -> engine.getRuntimeService().startProcessInstanceByKey("delivery", "otp-4242", vars))
                .hasMessageContaining("the commit failed");
        // on a server the key is taken in the start's transaction and goes with its rollback; the
        // process-test engine commits each of the test kit's statements on its own
        DeliveryFixture.jdbc().update("delete from " + MessageKeys.TABLE + " where KEY_ = ?", "otp-4242");
        ProcessInstance retried = engine.getRuntimeService().startProcessInstanceByKey("delivery", "otp-4242", vars);
        engine.drive(retried); // the slot the failed start took is gone: the retry waits for the next

        assertThat(retried).isEnded();
        assertThat(provider.sent).as("the retry found the send of the start that failed").hasSize(1);
        assertThat(engine.variable(retried, "providerMessageId")).isEqualTo("bw-once");
    }

    @Test
    void shouldFlagAMessageThatEndsBeforeItsDoubtIsSettled() {
        fixture.register();
        provider.script.add(TIMED_OUT);
        ProcessInstance pi = start(Map.of("deadline", java.util.Date.from(T0.plusSeconds(10))));
        engine.drive(pi);

        assertThat(engine.variable(pi, "outcome")).isEqualTo("EXPIRED");
        assertThat(engine.variable(pi, "doubt")).isEqualTo("UNSETTLED");
        assertThat(asked).isEmpty();
    }

    @Test
    void shouldCountMessagesInDoubtInTheReportByHowEachWasSettled() {
        fixture.register();
        provider.script.add(TIMED_OUT);
        provider.script.add(TIMED_OUT);
        list.add(Lookup.found("bw-1", "listed"));
        list.add(Lookup.none("not listed"));
        ProcessInstance first = start(Map.of());
        ProcessInstance second = start(Map.of());
        ProcessInstance third = start(Map.of());
        engine.drive(first);
        engine.drive(second);
        engine.drive(third);

        CampaignReport report = DeliveryFixture.reports(TestProperties.withProvider("http://127.0.0.1:9", 60))
                .read("c1", "c1", T0, 3, 0, false);
        assertThat(report.inDoubt()).containsExactlyInAnyOrderEntriesOf(Map.of("SENT", 1L, "NOT_SENT", 1L));
        assertThat(report.outcomes()).containsEntry("ACCEPTED", 3L);
        assertThat(report.toText()).contains("in doubt (answer lost) 2");
    }

    /** Live counters whose count of the first accepted send throws: the step's transaction fails after the answer was recorded. */
    private static DeliveryStats failingOnceAfterTheAnswer() {
        return new DeliveryStats() {
            boolean failed;

            @Override
            public void accepted(int segments) {
                if (!failed) {
                    failed = true;
                    throw new IllegalStateException("the commit failed");
                }
                super.accepted(segments);
            }
        };
    }

    private ProcessInstance start(Map<String, Object> extra) {
        Map<String, Object> vars = new HashMap<>(DeliveryFixture.message("+12025550101", "hello", 1, null, "PENDING"));
        vars.putAll(extra);
        return engine.startMessage(vars);
    }
}
