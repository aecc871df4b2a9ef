package dev.pacer.campaign;

import dev.pacer.flow.Processes;

import dev.pacer.provider.SendResult;
import dev.pacer.testkit.ScriptedSender;

import dev.pacer.testkit.PacerEngine;

import dev.pacer.system.CamundaClock;
import dev.pacer.testkit.DeliveryFixture;
import dev.pacer.testkit.TestProperties;

import dev.pacer.audit.ReportReader;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.transaction.support.TransactionOperations;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

/**
 * Pause, resume and cancel of a running campaign, through the BPMN messages the process API (and
 * so {@code pacer pause|resume|cancel}) sends, with the campaign and delivery flows, their real
 * delegates, a provider that takes everything, and the engine clock moved by hand.
 */
@Deployment(resources = {"campaign.bpmn", "delivery.bpmn", "response-rules.dmn"})
class CampaignControlProcessTest {

    @RegisterExtension
    static PacerEngine engine = new PacerEngine();

    private static final Instant T0 = Instant.parse("2030-01-07T15:00:00Z");

    private final ScriptedSender sender = ScriptedSender.accepting();
    private RuntimeService runtime;
    private ManagementService management;
    private ReportReader reports;

    @BeforeEach
    void setUp() {
        engine.clockAt(T0);
        runtime = engine.getRuntimeService();
        management = engine.getManagementService();
        reports = DeliveryFixture.reports(TestProperties.withProvider("http://127.0.0.1:9", 60));
        node(2);
    }

    /** Binds every delegate afresh, as a node that has just started would: nothing is carried over in memory. */
    private void node(int window) {
        DeliveryFixture.on(new CamundaClock()).sender(sender).dispatchWindow(window).register();
    }


    @Test
    void shouldStartNoSendWhilePausedAndResumeAtThePaceWithoutABurst() {
        ProcessInstance campaign = start("spring", 4);
        runJobsUntil(T0);
        assertThat(sender.sent).hasSize(1);   // the second message's slot is at 1 s

        correlate(Processes.PAUSE, "spring");
        assertThat(engine.variable(campaign, "state")).isEqualTo("PAUSED");
        runJobsUntil(T0.plusSeconds(30));
        assertThat(sender.sent).as("no new send starts while paused").hasSize(1);
        List<ProcessInstance> waiting = runtime.createProcessInstanceQuery().processDefinitionKey("delivery").list();
        assertThat(waiting).hasSize(1).allSatisfy(pi -> assertThat(pi).isWaitingAt("Event_Resumed"));
        assertThat(engine.variable(campaign, "cursor")).as("nor is anything dispatched").isEqualTo(2);

        node(2);   // the server restarts: the pause is in the database, not in memory
        runJobsUntil(T0.plusSeconds(40));
        assertThat(sender.sent).hasSize(1);

        correlate(Processes.RESUME, "spring");
        runJobsUntil(T0.plusSeconds(120));
        assertThat(campaign).isEnded();
        assertThat(sender.sent).hasSize(4);
        assertThat(sender.sent.get(1).at()).as("sends start again at once on resume").isEqualTo(T0.plusSeconds(40));
        for (int i = 2; i < 4; i++) {
            assertThat(Duration.between(sender.sent.get(i - 1).at(), sender.sent.get(i).at()))
                    .as("at the scope's pace, no burst of what was saved while paused").isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        }
        assertThat(reports.read(campaign.getId()).outcomes()).containsEntry("ACCEPTED", 4L);
    }

    @Test
    void shouldPauseItselfWhenTheProviderRefusesTheAccountAndGoOnWhenResumed() {
        sender.script.add(SendResult.failed(401, "unauthorized", "Authentication failed"));
        ProcessInstance campaign = start("refused", 4);
        runJobsUntil(T0.plusSeconds(30));
        assertThat(sender.sent).as("one refusal, then nothing more is tried").hasSize(1);
        assertThat(engine.variable(campaign, "state")).isEqualTo("PAUSED");
        assertThat((String) engine.variable(campaign, "pauseReason")).contains("bandwidth refused the account (401 unauthorized")
                .contains("credentials");
        assertThat(new CampaignRunner(runtime, engine.getHistoryService(), reports, null, null).pausedBecause(campaign.getId()))
                .as("what `pacer run` stops on, exit 3").isPresent();
        assertThat(reports.read(campaign.getId()).outcomes()).as("no message rejected for the account's fault")
                .doesNotContainKey("REJECTED");

        correlate(Processes.RESUME, "refused");
        runJobsUntil(T0.plusSeconds(120));
        assertThat(campaign).isEnded();
        assertThat(reports.read(campaign.getId()).outcomes()).containsEntry("ACCEPTED", 4L);
        assertThat(sender.sent).as("the refused message tried again").hasSize(5);
    }

    @Test
    void shouldRefuseASecondStartOfARunningCampaignAndRunAFinishedOneAgainOnlyWhenAsked() {
        ProcessInstance first = start("once", 2);
        assertThatThrownBy(() -> start("once", 2)).hasMessageContaining("a campaign named 'once' is running (instance " + first.getId());
        runJobsUntil(T0.plusSeconds(30));
        assertThat(first).isEnded();
        assertThatThrownBy(() -> start("once", 2)).hasMessageContaining("campaign 'once' has already run (instance " + first.getId())
                .hasMessageContaining("--again");
        ProcessInstance again = runtime.startProcessInstanceByKey("campaign", Map.of("campaign", json("once", 2), "campaignDir", ".",
                "again", true));
        runJobsUntil(T0.plusSeconds(60));
        assertThat(again).isEnded();
        assertThat(sender.sent).as("sent twice, as asked").hasSize(4);
    }

    @Test
    void shouldEndEveryMessageNotSentCancelledAndCountThem() {
        ProcessInstance campaign = start("autumn", 5);
        runJobsUntil(T0);
        assertThat(sender.sent).hasSize(1);
        ClockUtil.setCurrentTime(Date.from(T0.plusMillis(200)));

        correlate(Processes.CANCEL, "autumn");
        Job slot = management.createJobQuery().activityId("Timer_WaitSlot").singleResult();
        assertThat(slot.getDuedate()).as("the waiting message is woken at once, not at its slot").isEqualTo(Date.from(T0.plusMillis(200)));
        runJobsUntil(T0.plusSeconds(5));

        assertThat(campaign).isEnded();
        assertThat(sender.sent).as("nothing more goes out").hasSize(1);
        var report = reports.read(campaign.getId());
        assertThat(report.outcomes()).as("one sent, one cancelled while waiting, three never dispatched")
                .containsEntry("ACCEPTED", 1L).containsEntry("CANCELLED", 4L);
        assertThat(report.messages()).isEqualTo(5);
        assertThat(report.pending()).isZero();
    }

    @Test
    void shouldApplyARequestThatCameWhileItsDispatchStepRanAtOnceNotAtItsNextRun() {
        // one message a minute, sent in batches: the dispatch step's next run is a minute away. The
        // pause is recorded while the step sends (after it looked for requests), and without the
        // wake-up its API call makes, as when that wake-up found the step's job taken.
        ControlRequests requests = new ControlRequests(DeliveryFixture.jdbc(), TransactionOperations.withoutTransaction(), new CamundaClock());
        String[] campaignId = new String[1];
        DeliveryFixture.on(new CamundaClock()).batchSend().dispatchWindow(10).sender(message -> {
            if (sender.sent.isEmpty()) {
                requests.request(campaignId[0], ControlRequests.Action.PAUSE, "asked mid-run", "ops");
            }
            return sender.send(message);
        }).register();
        ProcessInstance campaign = runtime.startProcessInstanceByKey("campaign", Map.of("campaign",
                json("slow", 3).replace("\"recipients\"", "\"maxRate\": 1, \"recipients\""), "campaignDir", "."));
        campaignId[0] = campaign.getId();
        runJobsUntil(T0);

        assertThat(sender.sent).hasSize(1);
        assertThat(engine.variable(campaign, "state")).as("applied at once, without the clock moving: not at the next slot, a minute on")
                .isEqualTo("PAUSED");
        assertThat(engine.variable(campaign, "pauseReason")).isEqualTo("asked mid-run");
        runJobsUntil(T0.plusSeconds(300));
        assertThat(sender.sent).as("nothing sent while paused").hasSize(1);
    }

    @Test
    void shouldWakeAMessageThatHasMovedOnWithoutAnErrorInTheLog() {
        // the engine logs every exception that leaves a command at ERROR with its trace (ENGINE-16004);
        // a message that no longer waits for the resume is expected, and worth a debug line only
        ch.qos.logback.classic.Logger context = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.camunda.bpm.engine.context");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log = new ch.qos.logback.core.read.ListAppender<>();
        log.start();
        context.addAppender(log);
        try {
            CampaignControl.ownCommand(() -> runtime.messageEventReceived(Processes.RESUMED, "an-execution-that-ended"));
            assertThat(log.list).as("the engine's copy of the expected refusal").isEmpty();
            assertThatThrownBy(() -> runtime.messageEventReceived(Processes.RESUMED, "an-execution-that-ended"))
                    .isInstanceOf(org.camunda.bpm.engine.ProcessEngineException.class);
            assertThat(log.list).as("outside a waking step, the engine logs it as it always does").isNotEmpty();
        } finally {
            context.detachAppender(log);
        }
    }

    @Test
    void shouldRefuseToPauseACampaignThatIsNotRunning() {
        assertThatThrownBy(() -> correlate(Processes.PAUSE, "no-such-campaign"))
                .hasMessageContaining("Cannot correlate message 'pauseCampaign'");
    }

    @Test
    void shouldRecordARecipientWhoseTextOrNumberIsTooLongInvalidAndSendTheRest() {
        String json = """
                {"name": "long", "provider": "bandwidth", "from": "+12025550100", "text": "Hi {{name}}", "recipients": [
                 {"to": "+12025551001", "name": "Ada"},
                 {"to": "+12025551002", "name": "%s"},
                 {"to": "%s", "name": "Bo"},
                 {"to": "+12025551004", "name": "Cy"}]}""".formatted("x".repeat(5000), "9".repeat(5000));
        // as Json, as `pacer run` and the README's curl give it: a String holds at most 4,000 characters
        ProcessInstance campaign = runtime.startProcessInstanceByKey("campaign", Map.of("campaign",
                org.camunda.spin.plugin.variable.SpinValues.jsonValue(json).create(), "campaignDir", "."));
        runJobsUntil(T0.plusSeconds(60));
        assertThat(campaign).isEnded();
        assertThat(management.createJobQuery().withException().count()).as("no job failed: no incident").isZero();
        var report = reports.read(campaign.getId());
        assertThat(report.outcomes()).containsEntry("ACCEPTED", 2L).containsEntry("INVALID", 2L);
        assertThat(sender.sent).extracting(sent -> sent.message().to()).containsExactlyInAnyOrder("+12025551001", "+12025551004");
        assertThat(engine.getHistoryService().createHistoricVariableInstanceQuery().variableName("reason").list())
                .extracting(v -> String.valueOf(v.getValue()))
                .anyMatch(r -> r.contains("row 2: the text filled in is 5003 characters, over the 2048"))
                .anyMatch(r -> r.contains("row 3: 'to' is 5000 characters long"));
    }

    private ProcessInstance start(String name, int recipients) {
        return runtime.startProcessInstanceByKey("campaign", Map.of("campaign", json(name, recipients), "campaignDir", "."));
    }

    private static String json(String name, int recipients) {
        StringBuilder r = new StringBuilder();
        for (int i = 0; i < recipients; i++) {
            r.append(i == 0 ? "" : ",").append("{\"to\": \"+1202555%04d\"}".formatted(1000 + i));
        }
        return """
                {"name": "%s", "provider": "bandwidth", "from": "+12025550100", "text": "Sale starts now", "recipients": [%s]}"""
                .formatted(name, r);
    }

    private void correlate(String message, String campaign) {
        runtime.createMessageCorrelation(message).processInstanceBusinessKey(campaign).correlate();
    }

    /** Runs jobs in due order, moving the clock to each one's due date, until the next is due after {@code until}. */
    private void runJobsUntil(Instant until) {
        engine.jobs(null).runUntil(until, 2000);
    }
}
