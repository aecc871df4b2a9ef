package dev.pacer.delivery;

import dev.pacer.audit.MessageExport;
import dev.pacer.audit.MessageTrail;
import dev.pacer.audit.ReportReader;
import dev.pacer.audit.TrailReader;
import dev.pacer.flow.Processes;
import dev.pacer.provider.SendResult;
import dev.pacer.testkit.DeliveryFixture;
import dev.pacer.testkit.PacerEngine;
import dev.pacer.testkit.ScriptedSender;
import dev.pacer.testkit.TestProperties;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jdbc.core.JdbcTemplate;

import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

/**
 * Campaigns sent in batches by their dispatch step: a well-paced campaign leaves no instance per
 * message, only a row each; a message that must wait (a 429, a server error, an answer lost) goes
 * on as a {@code delivery} instance at the step it waits in, with the attempt the batch made; a
 * batch that never committed sends nothing twice. The engine clock is moved by hand from one job's
 * due date to the next, and a batch's waits for its slots move it too.
 */
@Deployment(resources = {"campaign.bpmn", "delivery.bpmn", "response-rules.dmn"})
class BatchDeliveryProcessTest {

    @RegisterExtension
    static PacerEngine engine = new PacerEngine();

    private static final Instant T0 = Instant.parse("2030-01-07T15:00:00Z");

    private final ScriptedSender sender = ScriptedSender.accepting();
    private RuntimeService runtime;
    private ReportReader reports;
    private DeliveryFixture.Bound bound;
    private final JdbcTemplate jdbc = DeliveryFixture.jdbc();

    @BeforeEach
    void setUp() {
        engine.clockAt(T0);
        runtime = engine.getRuntimeService();
        reports = DeliveryFixture.reports(TestProperties.withProvider("http://127.0.0.1:9", 60));
        bound = DeliveryFixture.on(new dev.pacer.system.CamundaClock()).sender(sender).dispatchWindow(50).batchSend().register();
    }

    @Test
    void shouldSendAWellPacedCampaignAtItsPaceWithARowPerMessageAndNoInstance() throws Exception {
        ProcessInstance campaign = start("paced", 6, true);
        runJobsUntil(T0.plusSeconds(60));

        assertThat(campaign).isEnded();
        assertThat(sender.sent).as("the invalid recipient is not sent").hasSize(5);
        for (int i = 1; i < sender.sent.size(); i++) {
            assertThat(Duration.between(sender.sent.get(i - 1).at(), sender.sent.get(i).at()))
                    .as("at the scope's pace (60 a minute), batch after batch").isEqualTo(Duration.ofSeconds(1));
        }
        assertThat(sender.sent.get(0).message().key()).isEqualTo(Processes.messageKey(campaign.getId(), 1));
        assertThat(engine.getHistoryService().createHistoricProcessInstanceQuery().processDefinitionKey(Processes.DELIVERY).count())
                .as("no message needed an instance").isZero();
        assertThat(jdbc.queryForObject("select count(*) from " + BatchedMessages.TABLE + " where CAMPAIGN_ID_ = ?", Long.class,
                campaign.getId())).isEqualTo(6);

        var report = reports.read(campaign.getId());
        assertThat(report.outcomes()).containsEntry("ACCEPTED", 5L).containsEntry("INVALID", 1L);
        assertThat(report.messages()).isEqualTo(6);
        assertThat(report.sendAttempts()).isEqualTo(5);
        assertThat(report.acceptedSegments()).isEqualTo(5);
        assertThat(report.pending()).isZero();

        TrailReader trails = new TrailReader(jdbc, java.time.Clock.systemUTC());
        MessageTrail trail = trails.read(trails.findMessage(campaign.getId(), "+1 (202) 555-1002").orElseThrow()).orElseThrow();
        assertThat(trail.outcome()).isEqualTo("ACCEPTED");
        assertThat(trail.providerMessageId()).isEqualTo("id-3");
        assertThat(trail.steps()).extracting(MessageTrail.Step::kind).containsExactly("attempt", "outcome");
        assertThat(trail.steps().get(0).attempt().sentAt()).isEqualTo(T0.plusSeconds(2));
        MessageTrail invalid = trails.read(trails.findMessage(campaign.getId(), "12").orElseThrow()).orElseThrow();
        assertThat(invalid.outcome()).isEqualTo("INVALID");
        assertThat(invalid.reason()).contains("invalid recipient");

        StringWriter csv = new StringWriter();
        assertThat(MessageExport.write(reports, campaign.getId(), csv)).isEqualTo(6);
        assertThat(csv.toString()).contains(Processes.messageKey(campaign.getId(), 3)).contains(",ACCEPTED,");
    }

    @Test
    void shouldHandAMessageRefusedWith429OverToAnInstanceThatWaitsOutTheRetryAfter() {
        sender.script.add(SendResult.accepted(202, "first", 1));
        sender.script.add(SendResult.rateLimited(429, Duration.ofSeconds(5), "max-message-queue-size-exceeded", "queue full"));
        ProcessInstance campaign = start("limited", 5, false);
        runJobsUntil(T0.plusSeconds(120));

        assertThat(campaign).isEnded();
        assertThat(sender.sent).hasSize(6);
        Instant refusedAt = sender.sent.get(1).at();
        assertThat(sender.sent.subList(2, 6)).as("nothing goes out inside the told wait")
                .allSatisfy(s -> assertThat(s.at()).isAfterOrEqualTo(refusedAt.plusSeconds(5)));
        List<ProcessInstance> waited = runtime.createProcessInstanceQuery().processDefinitionKey(Processes.DELIVERY).list();
        assertThat(waited).isEmpty();
        var instances = engine.getHistoryService().createHistoricProcessInstanceQuery().processDefinitionKey(Processes.DELIVERY).list();
        assertThat(instances).as("only the refused message became an instance").hasSize(1);
        String refused = instances.get(0).getId();
        assertThat(instances.get(0).getBusinessKey()).isEqualTo(Processes.messageKey(campaign.getId(), 2));
        assertThat(engine.getHistoryService().createHistoricActivityInstanceQuery().processInstanceId(refused).activityId("Timer_RetryAfter")
                .count()).as("it waited in the model's Retry-After timer").isEqualTo(1);

        TrailReader trails = new TrailReader(jdbc, java.time.Clock.systemUTC());
        MessageTrail trail = trails.read(refused).orElseThrow();
        assertThat(trail.steps()).filteredOn(s -> s.kind().equals("attempt")).extracting(s -> s.attempt().status())
                .as("the batch's attempt, then the instance's").containsExactly(429, 202);
        assertThat(trail.outcome()).isEqualTo("ACCEPTED");

        var report = reports.read(campaign.getId());
        assertThat(report.outcomes()).containsEntry("ACCEPTED", 5L);
        assertThat(report.sendAttempts()).isEqualTo(6);
        assertThat(report.rateLimitedResponses()).isEqualTo(1);
    }

    @Test
    void shouldRetryAServerErrorThroughTheModelsRetryPolicy() {
        sender.script.add(SendResult.failed(500, null, "boom"));
        ProcessInstance campaign = start("flaky", 3, false);
        runJobsUntil(T0.plusSeconds(300));

        assertThat(campaign).isEnded();
        var instances = engine.getHistoryService().createHistoricProcessInstanceQuery().processDefinitionKey(Processes.DELIVERY).list();
        assertThat(instances).hasSize(1);
        assertThat(engine.getHistoryService().createHistoricActivityInstanceQuery().processInstanceId(instances.get(0).getId())
                .activityId("Timer_Backoff").count()).as("backed off as the retry policy says").isEqualTo(1);
        assertThat(reports.read(campaign.getId()).outcomes()).containsEntry("ACCEPTED", 3L);
        assertThat(reports.read(campaign.getId()).transientFailures()).isEqualTo(1);
    }

    @Test
    void shouldNotSendAgainWhatABatchThatNeverCommittedSentAndAskTheProviderAboutTheRest() {
        ProcessInstance campaign = start("crashed", 3, false);
        // the batch of a node that stopped before its commit: row 1 answered, row 2 sent with no answer recorded
        SendLedger ledger = bound.ledger();
        String first = Processes.messageKey(campaign.getId(), 1);
        String second = Processes.messageKey(campaign.getId(), 2);
        sentBeforeItsCommit(campaign);
        runJobsUntil(T0.plusSeconds(20));

        assertThat(sender.sent).extracting(s -> s.message().key()).as("neither is sent again")
                .containsExactly(Processes.messageKey(campaign.getId(), 3));
        TrailReader trails = new TrailReader(jdbc, java.time.Clock.systemUTC());
        assertThat(trails.read(first).orElseThrow().providerMessageId()).isEqualTo("sent-before");
        ProcessInstance doubt = runtime.createProcessInstanceQuery().processInstanceBusinessKey(second).singleResult();
        assertThat(doubt).as("in doubt: the provider is asked before anything is sent again").isNotNull();
        assertThat(doubt).isWaitingAt("Timer_Settle");
        assertThat(ledger.find(SendLedger.key(first, 1))).as("an ended message's send is forgotten").isEmpty();
    }

    @Test
    void shouldSendARealtimeCampaignFromItsOwnStepAheadOfTheBulkSendsBooked() {
        ProcessInstance bulk = start("bulk", 8, false);
        runJobsUntil(T0.plusMillis(1500));   // the bulk campaign has sent at 0 and 1 s
        String json = """
                {"name": "alert", "provider": "bandwidth", "from": "+12025550100", "text": "Storm warning", "priority": "realtime",
                 "recipients": [{"to": "+12025559001"}, {"to": "+12025559002"}]}""";
        ProcessInstance alert = runtime.startProcessInstanceByKey("campaign", Map.of("campaign", json, "campaignDir", "."));
        runJobsUntil(T0.plusSeconds(60));

        assertThat(alert).isEnded();
        assertThat(bulk).isEnded();
        List<ScriptedSender.Sent> realtime = sender.sent.stream().filter(s -> s.message().text().equals("Storm warning")).toList();
        assertThat(realtime).hasSize(2).allSatisfy(s -> assertThat(s.message().priority()).isEqualTo(dev.pacer.throttle.Priority.REALTIME));
        assertThat(sender.sent.indexOf(realtime.get(0))).as("ahead of the six bulk messages still to go").isLessThan(4);
        assertThat(engine.getHistoryService().createHistoricProcessInstanceQuery().processDefinitionKey(Processes.DELIVERY)
                .processInstanceBusinessKeyLike(alert.getId() + "/%").count()).as("no instance for the real-time messages").isZero();
        for (int i = 1; i < sender.sent.size(); i++) {
            assertThat(Duration.between(sender.sent.get(i - 1).at(), sender.sent.get(i).at()))
                    .as("the scope's pace holds across both campaigns").isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        }
        assertThat(reports.read(bulk.getId()).outcomes()).containsEntry("ACCEPTED", 8L);
        assertThat(reports.read(alert.getId()).outcomes()).containsEntry("ACCEPTED", 2L);
    }

    @Test
    void shouldEndACancelledCampaignAtOnceNotAtTheSlotItsLastBatchLeft() {
        String json = """
                {"name": "slow", "provider": "bandwidth", "from": "+12025550100", "text": "Hi", "maxRate": 1,
                 "recipients": [{"to": "+12025558001"}, {"to": "+12025558002"}, {"to": "+12025558003"}]}""";
        ProcessInstance campaign = runtime.startProcessInstanceByKey("campaign", Map.of("campaign", json, "campaignDir", "."));
        runJobsUntil(T0.plusSeconds(1));
        assertThat(sender.sent).as("one a minute: the next slot is a minute away").hasSize(1);
        org.camunda.bpm.engine.impl.util.ClockUtil.setCurrentTime(java.util.Date.from(T0.plusSeconds(2)));
        runtime.createMessageCorrelation(Processes.CANCEL).processInstanceBusinessKey("slow").correlate();
        runJobsUntil(T0.plusSeconds(3));

        assertThat(campaign).isEnded();
        assertThat(sender.sent).hasSize(1);
        assertThat(reports.read(campaign.getId()).outcomes()).containsEntry("ACCEPTED", 1L).containsEntry("CANCELLED", 2L);
        assertThat(reports.read(campaign.getId()).configuredSegmentsPerMinute()).as("measured against its own cap, not the account's 60")
                .isEqualTo(1);
        assertThat(dev.pacer.audit.CampaignTimeline.read(reports, campaign.getId()).segmentsPerMinute()).as("and so is its chart")
                .isEqualTo(1);
    }

    @Test
    void shouldSendEachMessageInItsSlotWhenTheIntervalIsNoWholeNumberOfMilliseconds() {
        // 7 a second: slots 142.857 ms apart, kept to the millisecond (rounded up) by each message
        DeliveryFixture.on(new dev.pacer.system.CamundaClock()).sender(sender).dispatchWindow(50).batchSend()
                .properties(TestProperties.withProvider("http://127.0.0.1:9", 420)).register();
        ProcessInstance campaign = start("seven", 20, false);
        runJobsUntil(T0.plusSeconds(30));

        assertThat(campaign).isEnded();
        assertThat(sender.sent).hasSize(20);
        assertThat(engine.getHistoryService().createHistoricProcessInstanceQuery().processDefinitionKey(Processes.DELIVERY).count())
                .as("every message sent in its batch, none given back its slot").isZero();
        for (int i = 1; i < sender.sent.size(); i++) {
            assertThat(Duration.between(sender.sent.get(i - 1).at(), sender.sent.get(i).at())).isGreaterThanOrEqualTo(Duration.ofMillis(142));
        }
    }

    @Test
    void shouldSettleTheSendsOfABatchThatARaceRolledBackEvenWhileTheCampaignIsPaused() {
        // a pause that raced the batch's commit: the requests went out, the batch's transaction did not commit
        ProcessInstance campaign = start("raced", 3, false);
        runtime.createMessageCorrelation(Processes.PAUSE).processInstanceBusinessKey("raced").correlate();
        SendLedger ledger = bound.ledger();
        String first = Processes.messageKey(campaign.getId(), 1);
        String second = Processes.messageKey(campaign.getId(), 2);
        sentBeforeItsCommit(campaign);
        runJobsUntil(T0.plusSeconds(5));

        assertThat(sender.sent).as("nothing new goes out while paused").isEmpty();
        assertThat(jdbc.queryForObject("select OUTCOME_ from " + BatchedMessages.TABLE + " where KEY_ = ?", String.class, first))
                .as("the answer recorded stands, paused or not").isEqualTo("ACCEPTED");
        assertThat(runtime.createProcessInstanceQuery().processInstanceBusinessKey(second).singleResult()).isWaitingAt("Timer_Settle");
        assertThat(ledger.find(SendLedger.key(first, 1))).isEmpty();

        runtime.createMessageCorrelation(Processes.CANCEL).processInstanceBusinessKey("raced").correlate();
        runJobsUntil(T0.plusSeconds(120));
        var report = reports.read(campaign.getId());
        assertThat(report.outcomes()).containsEntry("ACCEPTED", 1L);
        assertThat(report.messages()).as("each message once: the one sent before is not counted cancelled as well").isEqualTo(3);
    }

    @Test
    void shouldDispatchNothingWhilePausedThoughAMessageHandedOverHasItsSendInTheLedger() {
        sender.script.add(SendResult.accepted(202, "first", 1));
        sender.script.add(SendResult.rateLimited(429, Duration.ofSeconds(5), "max-message-queue-size-exceeded", "queue full"));
        ProcessInstance campaign = start("paused-after-429", 6, false);
        runJobsUntil(T0.plusMillis(1500));
        assertThat(runtime.createProcessInstanceQuery().processDefinitionKey(Processes.DELIVERY).count())
                .as("the refused message waits out its Retry-After as an instance; its send stays in the ledger").isEqualTo(1);
        org.camunda.bpm.engine.impl.util.ClockUtil.setCurrentTime(java.util.Date.from(T0.plusMillis(1500)));
        runtime.createMessageCorrelation(Processes.PAUSE).processInstanceBusinessKey("paused-after-429").correlate();
        runJobsUntil(T0.plusSeconds(4));

        assertThat(runtime.createProcessInstanceQuery().processDefinitionKey(Processes.DELIVERY).count())
                .as("no instance started for the rows not dispatched").isEqualTo(1);
        assertThat(engine.variable(campaign, "cursor")).isEqualTo(2);
        assertThat(sender.sent).hasSize(2);
    }

    /** What a batch that never committed left in the ledger: row 1 sent and answered, row 2 sent with no answer recorded. */
    private void sentBeforeItsCommit(ProcessInstance campaign) {
        SendLedger ledger = bound.ledger();
        String first = Processes.messageKey(campaign.getId(), 1);
        String second = Processes.messageKey(campaign.getId(), 2);
        ledger.begin(SendLedger.key(first, 1), first, "bandwidth", "+12025550100", "+12025551000", T0);
        ledger.answer(SendLedger.key(first, 1), SendResult.accepted(202, "sent-before", 1), T0);
        ledger.begin(SendLedger.key(second, 1), second, "bandwidth", "+12025550100", "+12025551001", T0);
    }

    @Test
    void shouldSendABatchThroughTheAccountTheDeliveryFlowsThrottleStepNames() throws Exception {
        dev.pacer.provider.ProviderProperties backup = dev.pacer.provider.ProviderProperties.of(null, "http://127.0.0.1:9", "backup-acct",
                "app", "user", "secret", 600, 10, 8, dev.pacer.provider.ProviderProperties.Layer.none(),
                dev.pacer.provider.ProviderProperties.Layer.none(), "user").withType("bandwidth");
        DeliveryFixture.on(new dev.pacer.system.CamundaClock()).sender(sender).dispatchWindow(50).batchSend()
                .properties(TestProperties.bandwidth("http://127.0.0.1:9", 60).account("backup", backup).build()).register();
        // the flow as Modeler saves it with "backup" picked on Reserve send slot: the latest delivery definition
        String edited = java.nio.file.Files.readString(java.nio.file.Path.of("bpmn/delivery.bpmn"))
                .replace("<camunda:property name=\"provider\" value=\"\" />", "<camunda:property name=\"provider\" value=\"backup\" />");
        String deployment = engine.getRepositoryService().createDeployment().addString("delivery.bpmn", edited).deploy().getId();
        try {
            ProcessInstance campaign = start("through-backup", 3, false);
            runJobsUntil(T0.plusSeconds(60));

            assertThat(campaign).isEnded();
            assertThat(sender.sent).hasSize(3).allSatisfy(s -> assertThat(s.message().provider()).isEqualTo("backup"));
            assertThat(engine.getHistoryService().createHistoricProcessInstanceQuery().processDefinitionKey(Processes.DELIVERY).count())
                    .as("sent in the batch, not by instances").isZero();
        } finally {
            engine.getRepositoryService().deleteDeployment(deployment, true, true);
        }
    }

    private ProcessInstance start(String name, int recipients, boolean lastInvalid) {
        StringBuilder r = new StringBuilder();
        for (int i = 0; i < recipients; i++) {
            String to = i == recipients - 1 && lastInvalid ? "12" : "+1202555%04d".formatted(1000 + i);
            r.append(i == 0 ? "" : ",").append("{\"to\": \"").append(to).append("\"}");
        }
        String json = """
                {"name": "%s", "provider": "bandwidth", "from": "+12025550100", "text": "Sale starts now", "recipients": [%s]}"""
                .formatted(name, r);
        return runtime.startProcessInstanceByKey("campaign", Map.of("campaign", json, "campaignDir", "."));
    }

    private void runJobsUntil(Instant until) {
        engine.jobs(null).runUntil(until, 2000);
    }
}
