package dev.pacer.delivery;

import dev.pacer.flow.Processes;

import dev.pacer.testkit.ScriptedSender;

import dev.pacer.provider.ProviderAccount;
import dev.pacer.testkit.PacerEngine;

import dev.pacer.metrics.DeliveryStats;
import dev.pacer.provider.Providers;
import dev.pacer.suppression.SuppressionList;
import dev.pacer.system.CamundaClock;
import dev.pacer.testkit.DeliveryFixture;
import dev.pacer.testkit.TestProperties;

import dev.pacer.provider.SendResult;
import dev.pacer.throttle.Pacer;
import dev.pacer.throttle.Priority;
import dev.pacer.throttle.Quota;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

/**
 * Every path of {@code bpmn/delivery.bpmn}, with the real throttle and send delegates, a scripted
 * provider, and the engine clock moved by hand from one job's due date to the next.
 */
@Deployment(resources = {"delivery.bpmn", "response-rules.dmn"})
class DeliveryProcessTest {

    @RegisterExtension
    static PacerEngine engine = new PacerEngine();

    private static final Instant T0 = Instant.parse("2030-01-01T09:00:00Z");

    private final ScriptedSender sender = ScriptedSender.strict();
    private Pacer pacer;
    private DeliveryStats stats;
    private CamundaClock clock;
    private Providers providers;
    private RuntimeService runtime;
    private ManagementService management;

    @BeforeEach
    void setUp() {
        engine.clockAt(T0);
        clock = new CamundaClock();
        DeliveryFixture.Bound bound = DeliveryFixture.on(clock).sender(sender).register();
        pacer = bound.pacer();
        providers = bound.providers();
        stats = bound.stats();
        runtime = engine.getRuntimeService();
        management = engine.getManagementService();
    }

    @Test
    void shouldSendAndEndAcceptedWhenTheProviderTakesIt() {
        sender.script.add(SendResult.accepted(202, "msg-1", 1));
        ProcessInstance pi = start(null, "PENDING");
        drive(pi);
        assertThat(pi).hasPassedInOrder("Task_Throttle", "Task_Send", "End_Accepted").isEnded();
        assertThat(outcome(pi)).isEqualTo("ACCEPTED");
        assertThat(engine.variable(pi, "providerMessageId")).isEqualTo("msg-1");
        assertThat(sender.sent).hasSize(1);
        assertThat(sender.sent.get(0).message().key()).as("the business key goes with it (Bandwidth's tag)").isEqualTo(pi.getBusinessKey());
    }

    @Test
    void shouldSendARealtimeMessageOnItsOwnBeforeTheStartCallReturns() {
        sender.script.add(SendResult.accepted(202, "msg-now", 1));
        ProcessInstance pi = start(null, "PENDING", Map.of("priority", "realtime"));
        assertThat(sender.sent).as("no job executor hop: sent in the caller's transaction").hasSize(1);
        assertThat(pi).hasPassedInOrder("Task_PrepareNow", "Task_Throttle", "Task_Send", "End_Accepted").isEnded();
        assertThat(management.createJobQuery().processInstanceId(pi.getId()).count()).isZero();
    }

    @Test
    void shouldWaitInItsOwnThreadForARealtimeSlotAMomentAway() {
        // 600 a minute: one slot every 100 ms, within the 250 ms a real-time message waits for in its own thread
        DeliveryFixture.on(clock).sender(sender).properties(TestProperties.withProvider("http://127.0.0.1:9", 600)).register();
        sender.script.add(SendResult.accepted(202, "first", 1));
        sender.script.add(SendResult.accepted(202, "second", 1));
        ProcessInstance first = start(null, "PENDING", Map.of("priority", "realtime"));
        ProcessInstance second = start(null, "PENDING", Map.of("priority", "realtime"));
        assertThat(first).isEnded();
        assertThat(second).as("no timer job for a slot 100 ms away").isEnded();
        assertThat(sender.sent).extracting(ScriptedSender.Sent::at).containsExactly(T0, T0.plusMillis(100));
    }

    @Test
    void shouldHandABulkMessageToTheJobExecutor() {
        sender.script.add(SendResult.accepted(202, "msg-later", 1));
        ProcessInstance pi = start(null, "PENDING");
        assertThat(sender.sent).isEmpty();
        assertThat(pi).hasPassed("Task_Prepare").hasNotPassed("Task_PrepareNow");
        drive(pi);
        assertThat(sender.sent).hasSize(1);
    }

    @Test
    void shouldWaitTheProviderTimeAfterA429AndThenSend() {
        sender.script.add(SendResult.rateLimited(429, Duration.ofSeconds(5), "max-message-queue-size-exceeded", "full"));
        sender.script.add(SendResult.accepted(202, "msg-2", 1));
        ProcessInstance pi = start(null, "PENDING");

        execute(job(pi));
        assertThat(pi).isWaitingAt("Timer_RetryAfter");
        assertThat(pacer.view(providers.account("bandwidth").scope()).pausedUntil()).isEqualTo(T0.plusSeconds(5));

        drive(pi);
        assertThat(pi).hasPassedInOrder("Task_Send", "Boundary_RateLimited", "Timer_RetryAfter", "Task_Throttle", "Task_Send", "End_Accepted");
        assertThat(sender.sent).hasSize(2);
        assertThat(sender.sent.get(1).at()).as("nothing is sent inside the told wait").isAfterOrEqualTo(T0.plusSeconds(5));
        assertThat(engine.variable(pi, "rateLimited")).isEqualTo(1);
        assertThat(engine.variable(pi, "failures")).as("a 429 is not a failed attempt").isEqualTo(0);
        assertThat(outcome(pi)).isEqualTo("ACCEPTED");
    }

    @Test
    void shouldHoldBackOtherMessagesOfTheScopeWhileItIsPaused() {
        sender.script.add(SendResult.rateLimited(429, Duration.ofSeconds(8), null, null));
        sender.script.add(SendResult.accepted(202, "a", 1));
        sender.script.add(SendResult.accepted(202, "b", 1));
        ProcessInstance first = start(null, "PENDING");
        ProcessInstance second = start(null, "PENDING");
        execute(job(first));
        assertThat(first).isWaitingAt("Timer_RetryAfter");
        drive(second);
        drive(first);
        assertThat(sender.sent).hasSize(3);
        assertThat(sender.sent.subList(1, 3)).allSatisfy(s -> assertThat(s.at()).isAfterOrEqualTo(T0.plusSeconds(8)));
    }

    @Test
    void shouldBackOffAfterATransientFailureAndThenSend() {
        sender.script.add(SendResult.failed(503, null, "unavailable"));
        sender.script.add(SendResult.accepted(202, "msg-3", 1));
        ProcessInstance pi = start(null, "PENDING");
        execute(job(pi));
        assertThat(pi).isWaitingAt("Timer_Backoff");
        drive(pi);
        assertThat(pi).hasPassedInOrder("Task_Send", "Boundary_Transient", "Task_ChoosePolicy", "Task_ScheduleRetry", "Timer_Backoff",
                "Task_Send", "End_Accepted");
        assertThat(engine.variable(pi, "retryPolicy")).isEqualTo("default");
        assertThat(Duration.between(sender.sent.get(0).at(), sender.sent.get(1).at())).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(engine.variable(pi, "failures")).isEqualTo(1);
        assertThat(engine.variable(pi, "attempts")).isEqualTo(2);
    }

    @Test
    void shouldWaitAtLeastTheRetryAfterOfA503() {
        sender.script.add(new SendResult(503, Duration.ofSeconds(20), null, null, null, "maintenance"));
        sender.script.add(SendResult.accepted(202, "msg-4", 1));
        ProcessInstance pi = start(null, "PENDING");
        drive(pi);
        assertThat(outcome(pi)).isEqualTo("ACCEPTED");
        assertThat(Duration.between(sender.sent.get(0).at(), sender.sent.get(1).at()))
                .as("the backoff alone would be 2 s").isGreaterThanOrEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void shouldPaceSendsWokenLongAfterTheirSlotsInsteadOfBurstingThem() {
        for (int i = 0; i < 5; i++) {
            sender.script.add(SendResult.accepted(202, "m" + i, 1));
        }
        List<ProcessInstance> messages = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            messages.add(start(null, "PENDING", Map.of("to", "+1202555030" + i)));
        }
        engine.jobs(Processes.DELIVERY).runDue();
        assertThat(sender.sent).as("the first at once, the rest booked at 1, 2 s... at 60 a minute").hasSize(1);
        // the database was away for a minute: every timer fires late, at once
        ClockUtil.setCurrentTime(Date.from(T0.plusSeconds(60)));
        engine.jobs(Processes.DELIVERY).runAll(500);
        assertThat(sender.sent).hasSize(5);
        for (int i = 2; i < 5; i++) {
            assertThat(Duration.between(sender.sent.get(i - 1).at(), sender.sent.get(i).at()))
                    .as("after the outage, at the scope's pace, not a burst").isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        }
        assertThat(messages).allSatisfy(pi -> assertThat(outcome(pi)).isEqualTo("ACCEPTED"));
    }

    @Test
    void shouldSendAMessageOnItsOwnOncePerBusinessKey() {
        sender.script.add(SendResult.accepted(202, "first", 1));
        Map<String, Object> code = DeliveryFixture.message("+12025550401", "Your code is 1234", 1, null, "PENDING");
        ProcessInstance first = runtime.startProcessInstanceByKey(Processes.DELIVERY, "otp-77", code);
        drive(first);
        assertThat(outcome(first)).isEqualTo("ACCEPTED");
        assertThatThrownBy(() -> runtime.startProcessInstanceByKey(Processes.DELIVERY, "otp-77", code))
                .hasMessageContaining("business key 'otp-77' is taken by message " + first.getId()).hasMessageContaining("nothing is sent again");
        assertThat(sender.sent).as("sent once").hasSize(1);
        assertThat(runtime.createProcessInstanceQuery().processInstanceBusinessKey("otp-77").count()).as("and nothing stored").isZero();
    }

    @Test
    void shouldRejectAMessageOnItsOwnWhoseAccountIsRefusedNamingTheSettingToCheck() {
        sender.script.add(SendResult.failed(403, "forbidden", "Access is denied"));
        ProcessInstance pi = start(null, "PENDING");
        drive(pi);
        assertThat(outcome(pi)).isEqualTo("REJECTED");
        assertThat(engine.variable(pi, "responseClass")).isEqualTo("ACCOUNT");
        assertThat((String) engine.variable(pi, "reason")).contains("bandwidth refused the account (403 forbidden")
                .contains("pacer.providers.bandwidth");
    }

    @Test
    void shouldEndRejectedOnAPermanentError() {
        sender.script.add(SendResult.failed(400, "request-validation", "'to' is invalid"));
        ProcessInstance pi = start(null, "PENDING");
        drive(pi);
        assertThat(pi).hasPassed("End_Rejected").isEnded();
        assertThat(outcome(pi)).isEqualTo("REJECTED");
        assertThat((String) engine.variable(pi, "reason")).contains("400", "request-validation");
        assertThat(sender.sent).hasSize(1);
    }

    @Test
    void shouldEndDroppedWhenTheAttemptsRunOut() {
        for (int i = 0; i < 5; i++) {
            sender.script.add(SendResult.failed(500, null, "boom"));
        }
        ProcessInstance pi = start(null, "PENDING");
        drive(pi);
        assertThat(pi).hasPassed("End_NoRetry", "End_Dropped").isEnded();
        assertThat(outcome(pi)).isEqualTo("DROPPED");
        assertThat(sender.sent).as("maximum of 3 attempts").hasSize(3);
        List<Instant> times = sender.sent.stream().map(ScriptedSender.Sent::at).toList();
        assertThat(Duration.between(times.get(0), times.get(1))).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(Duration.between(times.get(1), times.get(2))).as("exponential").isGreaterThanOrEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void shouldExpireAtOnceWhenNoSlotComesBeforeTheDeadline() {
        String scope = providers.account("bandwidth").scope();
        for (int i = 0; i < 10; i++) {
            pacer.reserve(List.of(scope), 1, Priority.REALTIME, -1);
        }
        ProcessInstance pi = start(T0.plusSeconds(3), "PENDING");
        drive(pi);
        assertThat(pi).hasPassed("End_NoSlot", "End_Expired").isEnded();
        assertThat(outcome(pi)).isEqualTo("EXPIRED");
        assertThat(sender.sent).isEmpty();
    }

    @Test
    void shouldExpireRatherThanRetryAfterTheDeadline() {
        sender.script.add(SendResult.rateLimited(429, Duration.ofSeconds(60), null, null));
        ProcessInstance pi = start(T0.plusSeconds(30), "PENDING");
        drive(pi);
        assertThat(pi).hasPassed("End_Expired").isEnded();
        assertThat(outcome(pi)).isEqualTo("EXPIRED");
        assertThat(sender.sent).hasSize(1);
    }

    @Test
    void shouldNeverSendAnInvalidRecipient() {
        ProcessInstance pi = start(null, "INVALID");
        drive(pi);
        assertThat(pi).hasPassed("End_Invalid").hasNotPassed("Task_Send").isEnded();
        assertThat(sender.sent).isEmpty();
    }

    @Test
    void shouldWaitOnATimerForALaterSlot() {
        sender.script.add(SendResult.accepted(202, "x", 1));
        sender.script.add(SendResult.accepted(202, "y", 1));
        ProcessInstance first = start(null, "PENDING");
        ProcessInstance second = start(null, "PENDING");
        drive(first);
        execute(job(second));
        assertThat(second).isWaitingAt("Timer_WaitSlot");
        drive(second);
        assertThat(sender.sent.get(1).at()).isEqualTo(T0.plusSeconds(1));
    }

    @Test
    void shouldStepBackAndGiveTheSlotBackWhenTheScopeHasNoPlaceInFlight() throws InterruptedException {
        String scope = providers.account("bandwidth").scope();
        for (int i = 0; i < 4; i++) {
            assertThat(pacer.enter(List.of(scope), Duration.ZERO)).isTrue();
        }
        ProcessInstance pi = start(null, "PENDING");
        execute(job(pi));
        assertThat(pi).isWaitingAt("Timer_RetryAfter");
        assertThat(sender.sent).isEmpty();
        assertThat(pacer.reserve(List.of(scope), 1, Priority.REALTIME, -1).at())
                .as("the unused slot at T0 was given back").isEqualTo(T0);

        for (int i = 0; i < 4; i++) {
            pacer.exit(List.of(scope));
        }
        sender.script.add(SendResult.accepted(202, "z", 1));
        drive(pi);
        assertThat(outcome(pi)).isEqualTo("ACCEPTED");
        assertThat(engine.variable(pi, "rateLimited")).as("no provider 429 was involved").isEqualTo(0);
    }

    @Test
    void shouldLetTheResponseRulesOverrideTheRoutesReading() {
        // a 400 the route reads as a rejection, but its code 5600 (carrier queue full) is transient by the rules
        sender.script.add(SendResult.failed(400, "carrier", "queue full").withErrorCode("5600"));
        sender.script.add(SendResult.accepted(202, "late", 1));
        ProcessInstance pi = start(null, "PENDING");
        drive(pi);
        assertThat(outcome(pi)).isEqualTo("ACCEPTED");
        assertThat(engine.variable(pi, "retryPolicy")).isEqualTo("carrier");
        assertThat(Duration.between(sender.sent.get(0).at(), sender.sent.get(1).at()))
                .as("the built-in carrier policy starts at 30 s").isGreaterThanOrEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void shouldPaceAMessageInItsCampaignsCapToo() {
        sender.script.add(SendResult.accepted(202, "a", 1));
        sender.script.add(SendResult.accepted(202, "b", 1));
        ProcessInstance first = start(null, "PENDING", Map.of("campaignRate", 20, "campaignId", "c1"));
        ProcessInstance second = start(null, "PENDING", Map.of("campaignRate", 20, "campaignId", "c1"));
        drive(first);
        drive(second);
        assertThat(Duration.between(sender.sent.get(0).at(), sender.sent.get(1).at()))
                .as("20 segments a minute under the account's 60").isEqualTo(Duration.ofSeconds(3));
        assertThat(pacer.scopes()).contains("campaign:c1");
    }

    @Test
    void shouldExpireRatherThanBackOffPastTheDeadline() {
        sender.script.add(SendResult.failed(503, null, "unavailable"));
        ProcessInstance pi = start(T0.plusSeconds(1), "PENDING");
        drive(pi);
        assertThat(pi).hasPassed("End_NoRetry", "End_Expired").isEnded();
        assertThat(outcome(pi)).isEqualTo("EXPIRED");
        assertThat(sender.sent).hasSize(1);
    }

    @Test
    void shouldNeverRetryBandwidthSpamAndBlockedCodes() {
        SuppressionList suppression = new SuppressionList(DeliveryFixture.jdbc(), clock);
        List<String> codes = List.of("4470", "4481", "4482", "4770", "4772", "4775");
        for (int i = 0; i < codes.size(); i++) {
            String code = codes.get(i);
            String to = "+1202555020" + i;
            sender.script.add(SendResult.failed(500, "message-failed", "blocked").withErrorCode(code));
            ProcessInstance pi = start(null, "PENDING", Map.of("to", to));
            drive(pi);
            assertThat(outcome(pi)).as("code %s", code).isEqualTo("REJECTED");
            assertThat(engine.variable(pi, "responseClass")).isEqualTo("PERMANENT");
            assertThat(suppression.contains(to)).as("code %s: blacklisted or opted out, never sent to again", code)
                    .isEqualTo(List.of("4481", "4482", "4775").contains(code));
        }
        assertThat(sender.sent).hasSize(6);
        ProcessInstance again = start(null, "PENDING", Map.of("to", "+12025550205"));
        drive(again);
        assertThat(outcome(again)).as("the recipient who opted out").isEqualTo("SUPPRESSED");
        assertThat(sender.sent).hasSize(6);
    }

    @Test
    void shouldDropAMessageWhoseRateLimitWaitsOverrunTheirBudget() {
        DeliveryFixture.on(clock).pacer(pacer).sender(sender).properties(TestProperties.bandwidth("http://127.0.0.1:9", 60)
                .rateLimitBudget(Duration.ofSeconds(90)).build()).register();
        sender.script.add(SendResult.rateLimited(429, Duration.ofSeconds(60), null, null));
        sender.script.add(SendResult.rateLimited(429, Duration.ofSeconds(60), null, null));
        ProcessInstance pi = start(null, "PENDING");
        drive(pi);
        assertThat(outcome(pi)).isEqualTo("DROPPED");
        assertThat((String) engine.variable(pi, "reason")).contains("budget");
        assertThat(sender.sent).hasSize(2);
        assertThat(engine.variable(pi, "failures")).as("429s are not failed attempts").isEqualTo(0);
    }

    @Test
    void shouldPauseTheLayerTheRateLimitHeadersDescribe() {
        ProviderAccount e = providers.account("bandwidth");
        sender.script.add(SendResult.rateLimited(429, Duration.ofSeconds(7), "too-many-requests", "slow down")
                .withQuota(new Quota(20, 0, Duration.ofSeconds(7))));
        sender.script.add(SendResult.accepted(202, "ok", 1));
        ProcessInstance pi = start(null, "PENDING");
        execute(job(pi));
        assertThat(pi).isWaitingAt("Timer_RetryAfter");
        assertThat(pacer.view(e.userScope()).pausedUntil()).isAfterOrEqualTo(T0.plusSeconds(7));
        assertThat(pacer.view(e.userScope()).rateLimits()).isEqualTo(1);
        assertThat(pacer.view(e.scope()).rateLimits()).as("the 429 is the user's: the account's pace is not cut").isZero();
        drive(pi);
        assertThat(outcome(pi)).isEqualTo("ACCEPTED");
    }

    private ProcessInstance start(Instant deadline, String outcome) {
        return start(deadline, outcome, Map.of());
    }

    private ProcessInstance start(Instant deadline, String outcome, Map<String, Object> extra) {
        Map<String, Object> vars = DeliveryFixture.message("+12025550101", "hello", 1, deadline, outcome);
        vars.putAll(extra);
        return engine.startMessage(vars);
    }

    private void drive(ProcessInstance pi) {
        engine.drive(pi);
    }

    private Job job(ProcessInstance pi) {
        return engine.next(pi);
    }

    private void execute(Job job) {
        engine.execute(job);
    }

    private String outcome(ProcessInstance pi) {
        return (String) engine.variable(pi, "outcome");
    }
}
