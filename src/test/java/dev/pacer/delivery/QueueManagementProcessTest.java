package dev.pacer.delivery;

import dev.pacer.testkit.ScriptedSender;

import dev.pacer.flow.CampaignState;
import dev.pacer.flow.Processes;
import dev.pacer.testkit.PacerEngine;

import dev.pacer.campaign.CampaignControl;
import dev.pacer.suppression.SuppressionList;
import dev.pacer.system.CamundaClock;
import dev.pacer.testkit.DeliveryFixture;

import dev.pacer.throttle.Pacer;
import dev.pacer.throttle.Priority;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.BadUserRequestException;
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
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

/**
 * The queue-management paths of {@code bpmn/delivery.bpmn}: the real-time lane, deadlines that
 * interrupt any wait, send windows in the recipient's local time and the suppression list; with
 * the real delegates, a provider that takes everything, and the engine clock moved by hand from
 * one job's due date to the next.
 */
@Deployment(resources = {"delivery.bpmn", "response-rules.dmn"})
class QueueManagementProcessTest {

    @RegisterExtension
    static PacerEngine engine = new PacerEngine();

    /** 08:00 in New York on a winter morning, 13:00 UTC. */
    private static final Instant T0 = Instant.parse("2030-01-07T13:00:00Z");
    /** A New York number (area code 212). */
    private static final String NEW_YORK = "+12125550101";

    private final ScriptedSender sender = ScriptedSender.accepting();
    private Pacer pacer;
    private CamundaClock clock;
    private SuppressionList suppression;
    private RuntimeService runtime;
    private ManagementService management;

    @BeforeEach
    void setUp() {
        engine.clockAt(T0);
        clock = new CamundaClock();
        DeliveryFixture.Bound bound = DeliveryFixture.on(clock).sender(sender).register();
        pacer = bound.pacer();
        suppression = bound.suppression();
        runtime = engine.getRuntimeService();
        management = engine.getManagementService();
    }

    @Test
    void shouldLetARealtimeMessageSubmittedOnItsOwnOvertakeBulkWithinOneSlot() {
        List<ProcessInstance> bulk = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            bulk.add(start(bulk("+1202555010" + i)));
        }
        runDueJobs();   // one bulk send now, two booked at 1 and 2 s, three queued beyond the horizon
        assertThat(sender.sent).hasSize(1);

        ClockUtil.setCurrentTime(Date.from(T0.plusMillis(300)));
        // what a caller of the process API gives: no priority (a message on its own is real-time), a ttl
        Map<String, Object> code = new HashMap<>(Map.of("provider", "bandwidth", "from", "+12025550100", "to", "+12025550199",
                "text", "Your code is 123456", "ttl", "PT5M"));
        ProcessInstance realtime = runtime.startProcessInstanceByKey("delivery", "otp-1", code);
        runAllJobs();

        assertThat(realtime).hasPassed("End_Accepted").isEnded();
        ScriptedSender.Sent rt = sender.sent.stream().filter(s -> s.message().key().equals("otp-1")).findFirst().orElseThrow();
        assertThat(rt.message().priority()).as("sent with the provider's high priority").isEqualTo(Priority.REALTIME);
        assertThat(rt.message().deadline()).as("the ttl's end is passed on").isEqualTo(T0.plusMillis(300).plus(Duration.ofMinutes(5)));
        assertThat(Duration.between(T0.plusMillis(300), rt.at())).as("latency: within one slot (1 s at 60 a minute)")
                .isLessThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(sender.sent.indexOf(rt)).as("second, ahead of the four bulk messages that were waiting").isEqualTo(1);
        assertThat(rt.message().text()).isEqualTo("Your code is 123456");
        assertThat(engine.variable(realtime, "text")).as("the code is not kept in the history, its length is")
                .isEqualTo("[redacted: 19 characters]");
        assertThat(engine.variable(bulk.get(0), "text")).as("a bulk message's text is kept").isEqualTo("hello");
        for (int i = 1; i < sender.sent.size(); i++) {
            assertThat(Duration.between(sender.sent.get(i - 1).at(), sender.sent.get(i).at()))
                    .as("the scope's pace holds: no two sends closer than its interval").isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        }
        assertThat(bulk).allSatisfy(pi -> assertThat(pi).hasPassed("End_Accepted"));
        assertThat(sender.sent).hasSize(7);
    }

    @Test
    void shouldRefuseAMessageSubmittedWithoutTextAndStoreNothing() {
        Map<String, Object> vars = new HashMap<>(Map.of("provider", "bandwidth", "from", "+12025550100", "to", "+12025550199"));
        assertThatThrownBy(() -> runtime.startProcessInstanceByKey("delivery", "otp-2", vars))
                .isInstanceOf(BadUserRequestException.class).hasMessageContaining("message refused: missing variable 'text'");
        vars.put("text", "hi");
        vars.put("ttl", "five minutes");
        assertThatThrownBy(() -> runtime.startProcessInstanceByKey("delivery", "otp-3", vars))
                .hasMessageContaining("ttl: 'five minutes' is not an ISO-8601 duration");
        assertThat(runtime.createProcessInstanceQuery().count()).isZero();
        assertThat(engine.getHistoryService().createHistoricProcessInstanceQuery().count()).isZero();
    }

    @Test
    void shouldExpireAWaitingMessageAtItsDeadlineNotAtTheEndOfItsWait() {
        // a campaign paused: its message waits for the resume, which has no end of its own
        Map<String, Object> vars = bulk("+12025550111");
        vars.put("campaignId", "paused-campaign");
        vars.put("deadline", Date.from(T0.plusSeconds(90)));
        CampaignControl control = new CampaignControl(clock, Duration.ofDays(1));
        control.learn("paused-campaign", CampaignState.PAUSED);
        DeliveryFixture.on(clock).pacer(pacer).sender(sender).suppression(suppression).control(control).register();
        ProcessInstance pi = start(vars);
        runDueJobs();
        assertThat(pi).isWaitingAt("Event_Resumed");

        Job deadline = management.createJobQuery().processInstanceId(pi.getId()).timers().singleResult();
        assertThat(deadline.getDuedate()).isEqualTo(Date.from(T0.plusSeconds(90)));
        runAllJobs();
        assertThat(pi).hasPassedInOrder("Event_Resumed", "Boundary_Deadline", "Task_RecordExpiry", "End_Expired").isEnded();
        assertThat(engine.ended(pi)).isEqualTo(T0.plusSeconds(90));
        assertThat(engine.variable(pi, "reason")).isEqualTo("the deadline " + T0.plusSeconds(90) + " passed while it waited for its campaign to be resumed");
        assertThat(sender.sent).isEmpty();
    }

    @Test
    void shouldLeaveTheBulkQueueWhenItsCampaignIsPaused() {
        CampaignControl control = new CampaignControl(clock, Duration.ofDays(1));
        DeliveryFixture.on(clock).pacer(pacer).sender(sender).suppression(suppression).control(control).register();
        List<ProcessInstance> messages = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Map<String, Object> vars = bulk("+1202555060" + i);
            vars.put("campaignId", "to-pause");
            messages.add(start(vars));
        }
        runDueJobs();   // sent at 0 s, booked at 1 and 2 s, two queued beyond the horizon
        assertThat(pacer.view("bandwidth:acct").waitingBulk()).isEqualTo(2);
        control.learn("to-pause", CampaignState.PAUSED);
        engine.jobs(Processes.DELIVERY).runUntil(T0.plusSeconds(10), 500);
        assertThat(messages.subList(1, 5)).allSatisfy(pi -> assertThat(pi).isWaitingAt("Event_Resumed"));
        assertThat(pacer.view("bandwidth:acct").waitingBulk()).as("the paused messages left the bulk queue").isZero();
        assertThat(sender.sent).as("no send started after the pause, booked or not").hasSize(1);
        assertThat(pacer.reserve(List.of("bandwidth:acct"), 1, Priority.BULK, -1).at())
                .as("another campaign's message is not held behind them").isEqualTo(T0.plusSeconds(10));
    }

    @Test
    void shouldGiveTheSlotBackWhenTheDeadlineInterruptsAWaitForIt() {
        for (int i = 0; i < 3; i++) {
            start(bulk("+1202555020" + i));   // slots at 0, 1 and 2 s
        }
        Map<String, Object> late = bulk("+12025550210");
        ProcessInstance pi = start(late);
        runDueJobs();
        assertThat(pi).isWaitingAt("Timer_WaitSlot");
        // the deadline timer is moved before the slot (as if the deadline had been set so): it wins
        Job deadline = management.createJobQuery().processInstanceId(pi.getId()).activityId("Boundary_Deadline").singleResult();
        management.setJobDuedate(deadline.getId(), Date.from(T0.plusMillis(1500)));
        runAllJobs();
        assertThat(pi).hasPassed("Boundary_Deadline", "End_Expired").isEnded();
        assertThat(engine.variable(pi, "outcome")).isEqualTo("EXPIRED");
        assertThat(sender.sent).hasSize(3);
        ClockUtil.setCurrentTime(Date.from(T0.plusSeconds(3)));
        assertThat(pacer.reserve(List.of("bandwidth:acct"), 1, Priority.BULK, -1).at())
                .as("the slot at 3 s the expired message held is free again").isEqualTo(T0.plusSeconds(3));
    }

    @Test
    void shouldWaitForTheSendWindowInTheRecipientsLocalTime() {
        ClockUtil.setCurrentTime(Date.from(Instant.parse("2030-01-08T02:30:00Z")));   // 21:30 in New York, 18:30 in Los Angeles
        Map<String, Object> vars = bulk(NEW_YORK);
        vars.put("sendWindow", "08:00-21:00");
        ProcessInstance pi = start(vars);
        Map<String, Object> la = bulk("+12025550300");
        la.put("sendWindow", "08:00-21:00");
        la.put("timezone", "America/Los_Angeles");
        ProcessInstance given = start(la);
        runDueJobs();
        assertThat(pi).isWaitingAt("Timer_SendWindow");
        assertThat(engine.variable(pi, "timeZones")).isEqualTo("America/New_York");
        assertThat(given).as("18:30 in the zone given for the recipient: open").hasPassed("End_Accepted");

        runAllJobs();
        assertThat(pi).hasPassedInOrder("Timer_SendWindow", "Task_Throttle", "Task_Send", "End_Accepted");
        ScriptedSender.Sent ny = sender.sent.stream().filter(s -> s.message().to().equals(NEW_YORK)).findFirst().orElseThrow();
        assertThat(ny.at()).as("08:00 New York time").isEqualTo(Instant.parse("2030-01-08T13:00:00Z"));
    }

    @Test
    void shouldExpireAtOnceWhenTheWindowOpensOnlyAfterTheDeadline() {
        ClockUtil.setCurrentTime(Date.from(Instant.parse("2030-01-08T02:30:00Z")));
        Map<String, Object> vars = bulk(NEW_YORK);
        vars.put("sendWindow", "08:00-21:00");
        vars.put("deadline", Date.from(Instant.parse("2030-01-08T06:00:00Z")));
        ProcessInstance pi = start(vars);
        runAllJobs();
        assertThat(pi).hasPassed("End_NoSlot", "End_Expired").isEnded();
        assertThat(engine.ended(pi)).as("at once, not at the deadline").isEqualTo(Instant.parse("2030-01-08T02:30:00Z"));
        assertThat((String) engine.variable(pi, "reason")).contains("opens at 2030-01-08T13:00:00Z, after the deadline");
        assertThat(sender.sent).isEmpty();
    }

    @Test
    void shouldRecordARecipientWithAnUnusableTimeZoneAsInvalid() {
        Map<String, Object> vars = bulk(NEW_YORK);
        vars.put("sendWindow", "08:00-21:00");
        vars.put("timezone", "Mars/Olympus_Mons");
        ProcessInstance pi = start(vars);
        runDueJobs();
        assertThat(pi).hasPassed("End_Invalid").isEnded();
        assertThat((String) engine.variable(pi, "reason")).contains("timezone 'Mars/Olympus_Mons' is not an IANA time-zone name");
    }

    @Test
    void shouldNeverSendToASuppressedNumber() {
        suppression.add("+12025550400", "test");
        ProcessInstance pi = start(bulk("+12025550400"));
        runDueJobs();
        assertThat(pi).hasPassed("Task_Prepare", "End_Suppressed").isEnded();
        assertThat(engine.variable(pi, "outcome")).isEqualTo("SUPPRESSED");

        // a number that opts out while its message waits for a slot
        for (int i = 0; i < 2; i++) {
            start(bulk("+1202555041" + i));
        }
        ProcessInstance waiting = start(bulk("+12025550420"));
        runDueJobs();
        assertThat(waiting).isWaitingAt("Timer_WaitSlot");
        suppression.add("+12025550420", "STOP reply");
        runAllJobs();
        assertThat(waiting).hasPassed("Task_Send", "End_Suppressed").isEnded();
        assertThat(sender.sent).extracting(s -> s.message().to()).doesNotContain("+12025550400", "+12025550420").hasSize(2);
    }

    @Test
    void shouldRemoveAMessagesHistoryOnceItsTimeToLiveHasPassed() {
        ProcessInstance pi = start(bulk("+12025550500"));
        runAllJobs();
        assertThat(pi).isEnded();
        var history = engine.getHistoryService();
        assertThat(history.createHistoricProcessInstanceQuery().processInstanceId(pi.getId()).singleResult().getRemovalTime())
                .as("ended + the process's historyTimeToLive of 30 days").isEqualTo(Date.from(T0.plus(Duration.ofDays(30))));

        ClockUtil.setCurrentTime(Date.from(T0.plus(Duration.ofDays(29))));
        management.executeJob(history.cleanUpHistoryAsync(true).getId());
        assertThat(history.createHistoricProcessInstanceQuery().processInstanceId(pi.getId()).count()).isEqualTo(1);
        ClockUtil.setCurrentTime(Date.from(T0.plus(Duration.ofDays(31))));
        management.executeJob(history.cleanUpHistoryAsync(true).getId());
        assertThat(history.createHistoricProcessInstanceQuery().processInstanceId(pi.getId()).count()).isZero();
        assertThat(history.createHistoricVariableInstanceQuery().processInstanceId(pi.getId()).count()).isZero();
        history.findHistoryCleanupJobs().forEach(job -> management.deleteJob(job.getId()));
    }

    private Map<String, Object> bulk(String to) {
        return DeliveryFixture.message(to, "hello", 1, null, null);
    }

    private ProcessInstance start(Map<String, Object> vars) {
        return engine.startMessage(vars);
    }

    private void runDueJobs() {
        engine.jobs(Processes.DELIVERY).runDue();
    }

    private void runAllJobs() {
        engine.jobs(Processes.DELIVERY).runAll(500);
    }
}
