package dev.pacer.audit;

import dev.pacer.testkit.ScriptedSender;

import dev.pacer.flow.Processes;
import dev.pacer.testkit.PacerEngine;

import dev.pacer.system.CamundaClock;
import dev.pacer.testkit.DeliveryFixture;
import dev.pacer.testkit.JobDriver;

import dev.pacer.flow.Attempt;
import dev.pacer.provider.SendResult;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.camunda.bpm.engine.history.HistoricDetail;
import org.camunda.bpm.engine.history.HistoricVariableUpdate;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The audit read back from the history tables alone (new readers, as after a restart): a message's
 * trail with each attempt and wait, the campaign report's 429 and retry figures, the per-message CSV
 * and the chart's data.
 */
@Deployment(resources = {"delivery.bpmn", "response-rules.dmn"})
class AuditTrailProcessTest {

    @RegisterExtension
    static PacerEngine engine = new PacerEngine();

    private static final Instant T0 = Instant.parse("2030-01-01T09:00:00Z");

    private final ScriptedSender sender = ScriptedSender.strict();
    private JobDriver jobs;

    @BeforeEach
    void setUp() {
        engine.clockAt(T0);
        DeliveryFixture.on(new CamundaClock()).sender(sender).register();
        jobs = engine.jobs(Processes.DELIVERY);
        DeliveryFixture.jdbc().update("delete from ACT_HI_PROCINST where BUSINESS_KEY_ like 'audit/%'");
    }


    @Test
    void shouldShowEachAttemptAndEachWaitWithItsReasonAndLength() {
        sender.script.add(SendResult.rateLimited(429, Duration.ofSeconds(5), "max-message-queue-size-exceeded", "queue full"));
        sender.script.add(SendResult.accepted(202, "msg-2", 1));
        ProcessInstance pi = start(1, "+12025550101");
        jobs.runAll(100);

        TrailReader trails = new TrailReader(DeliveryFixture.jdbc(), new CamundaClock());
        assertThat(trails.findMessage("audit", "+1 (202) 555-0101")).contains(pi.getId());
        MessageTrail trail = trails.read(pi.getId()).orElseThrow();
        List<MessageTrail.Step> steps = trail.steps().stream().filter(s -> !"for a send slot".equals(s.what())).toList();
        assertThat(steps).extracting(MessageTrail.Step::kind).containsExactly("attempt", "wait", "attempt", "outcome");

        Attempt first = steps.get(0).attempt();
        assertThat(first.n()).isEqualTo(1);
        assertThat(first.status()).isEqualTo(429);
        assertThat(first.responseClass()).isEqualTo("RATE_LIMITED");
        assertThat(first.errorType()).isEqualTo("max-message-queue-size-exceeded");
        assertThat(first.retryAfterMillis()).isEqualTo(5000L);
        assertThat(first.sentAt()).isEqualTo(T0);

        MessageTrail.Step wait = steps.get(1);
        assertThat(wait.what()).isEqualTo("Retry-After");
        assertThat(wait.reason()).startsWith("429: pausing bandwidth").contains("queue full");
        assertThat(wait.millis()).as("the told wait, on the engine clock").isEqualTo(5000L);

        Attempt second = steps.get(2).attempt();
        assertThat(second.n()).isEqualTo(2);
        assertThat(second.status()).isEqualTo(202);
        assertThat(second.providerMessageId()).isEqualTo("msg-2");
        assertThat(second.sentAt()).isAfterOrEqualTo(T0.plusSeconds(5));

        assertThat(steps.get(3).what()).isEqualTo("ACCEPTED");
        assertThat(trail.outcome()).isEqualTo("ACCEPTED");
        assertThat(trail.providerMessageId()).isEqualTo("msg-2");
        assertThat(trail.campaign()).isEqualTo("audit");
        assertThat(trail.toText()).contains("attempt 1 via bandwidth: 429 max-message-queue-size-exceeded: queue full -> RATE_LIMITED")
                .contains("wait Retry-After 5s: 429: pausing").contains("provider id msg-2");
    }

    @Test
    void shouldReportRateLimitWaitsAndRetriesByCauseAndExportEveryMessage() throws Exception {
        sender.script.add(SendResult.rateLimited(429, Duration.ofSeconds(5), null, "queue full"));
        sender.script.add(SendResult.accepted(202, "a", 1));
        ProcessInstance limited = start(1, "+12025550101");
        jobs.runAll(100);
        sender.script.add(SendResult.failed(503, null, "unavailable"));
        sender.script.add(SendResult.accepted(202, "b", 1));
        start(2, "+12025550102");
        jobs.runAll(100);

        ReportReader reports = new ReportReader(DeliveryFixture.jdbc(), provider -> "bandwidth".equals(provider) ? 60 : 0);
        CampaignReport report = reports.read("audit", "audit", T0, 2, 0, false);
        assertThat(report.outcomes()).isEqualTo(Map.of("ACCEPTED", 2L));
        assertThat(report.sendAttempts()).isEqualTo(4);
        assertThat(report.rateLimitedResponses()).isEqualTo(1);
        assertThat(report.rateLimitWaitSeconds()).isEqualTo(5.0);
        assertThat(report.retriesByCause()).isEqualTo(Map.of("429", 1L, "503", 1L));
        assertThat(report.waits().get("backoff").count()).isEqualTo(1);
        assertThat(report.configuredSegmentsPerMinute()).isEqualTo(60);
        assertThat(report.theoreticalMinimumSeconds()).as("2 accepted segments at 1 a second").isEqualTo(2.0);
        assertThat(report.statedSegmentsPerMinute()).as("no 429 stated a rate").isNull();
        assertThat(report.achievedSegmentsPerMinute()).isEqualTo(2 * 60 / report.makespanSeconds());

        StringWriter csv = new StringWriter();
        assertThat(MessageExport.write(reports, "audit", csv)).isEqualTo(2);
        List<CSVRecord> rows = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(new StringReader(csv.toString())).getRecords();
        assertThat(rows).extracting(r -> r.get("row"), r -> r.get("to"), r -> r.get("outcome"), r -> r.get("attempts"), r -> r.get("provider_message_id"))
                .containsExactly(org.assertj.core.groups.Tuple.tuple("1", "+12025550101", "ACCEPTED", "2", "a"),
                        org.assertj.core.groups.Tuple.tuple("2", "+12025550102", "ACCEPTED", "2", "b"));
        assertThat(rows.get(0).get("rate_limited")).isEqualTo("1");
        assertThat(rows.get(1).get("failures")).isEqualTo("1");
        assertThat(rows.get(1).get("reason")).as("the 503's reason was removed when the message was accepted").isEmpty();
        MessageTrail recovered = new TrailReader(DeliveryFixture.jdbc(), new CamundaClock())
                .read(new TrailReader(DeliveryFixture.jdbc(), new CamundaClock()).findMessage("audit", "+12025550102").orElseThrow()).orElseThrow();
        assertThat(recovered.reason()).isNull();
        assertThat(recovered.steps()).filteredOn(st -> "wait".equals(st.kind()) && "back-off".equals(st.what()))
                .singleElement().satisfies(st -> assertThat(st.reason()).startsWith("503: back-off"));
        assertThat(rows.get(0).get("message_id")).isEqualTo(limited.getId());

        // the chart: accepted segments per second, the 429 marked in the second it came, the limit drawn
        withCampaignRow(() -> {
            CampaignTimeline timeline = CampaignTimeline.read(reports, "audit");
            assertThat(timeline.sends()).extracting(CampaignTimeline.Send::status).containsExactlyInAnyOrder(429, 202, 503, 202);
            assertThat(timeline.segmentsPerMinute()).isEqualTo(60);
            XYPlot plot = CampaignChart.of(timeline).getXYPlot();
            assertThat(plot.getDataset(1).getItemCount(0)).as("one second with a 429").isEqualTo(1);
            assertThat(plot.getDataset(1).getXValue(0, 0)).isEqualTo(0.5);
            assertThat(plot.getRangeMarkers(org.jfree.chart.ui.Layer.FOREGROUND)).hasSize(1);
            double accepted = 0;
            for (int i = 0; i < plot.getDataset(0).getItemCount(0); i++) {
                accepted += plot.getDataset(0).getYValue(0, i);
            }
            assertThat(accepted).as("segments accepted, one a bar-second each").isEqualTo(2.0);
            ByteArrayOutputStream svg = new ByteArrayOutputStream();
            CampaignChart.writeSvg(CampaignChart.of(timeline), svg);
            assertThat(svg.toString(StandardCharsets.UTF_8)).startsWith("<?xml").contains("<svg").contains("Campaign audit-campaign");
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            CampaignChart.writePng(CampaignChart.of(timeline), png);
            assertThat(png.toByteArray()).startsWith(0x89, 'P', 'N', 'G');
        });
    }

    @Test
    void shouldMeasureTheMinimumAgainstALowerRateTheProviderStated() throws Exception {
        sender.script.add(SendResult.rateLimited(429, Duration.ofSeconds(2), null, "queue full")
                .withStated(new dev.pacer.retry.ProviderHints.QueueLimit(30, 10)));
        sender.script.add(SendResult.accepted(202, "a", 1));
        sender.script.add(SendResult.accepted(202, "b", 1));
        start(1, "+12025550101");
        start(2, "+12025550102");
        jobs.runAll(100);

        CampaignReport report = new ReportReader(DeliveryFixture.jdbc(), provider -> 60).read("audit", "audit", T0, 2, 0, false);
        assertThat(report.configuredSegmentsPerMinute()).isEqualTo(60);
        assertThat(report.statedSegmentsPerMinute()).isEqualTo(30);
        assertThat(report.theoreticalMinimumSeconds()).as("2 segments at the stated 30 a minute").isEqualTo(4.0);
        assertThat(report.toText()).contains("at the 30 per minute the provider stated");

        withCampaignRow(() -> {
            CampaignTimeline timeline = CampaignTimeline.read(new ReportReader(DeliveryFixture.jdbc(), provider -> 60), "audit");
            assertThat(timeline.statedPerMinute()).isEqualTo(30);
            assertThat(CampaignChart.of(timeline).getXYPlot().getRangeMarkers(org.jfree.chart.ui.Layer.FOREGROUND))
                    .as("the configured limit and the stated rate").hasSize(2);
        });
    }

    @Test
    void shouldKeepEveryAttemptAndWaitReasonButNoGatewayRows() {
        sender.script.add(SendResult.rateLimited(429, Duration.ofSeconds(5), null, "queue full"));
        sender.script.add(SendResult.accepted(202, "c", 1));
        ProcessInstance pi = start(1, "+12025550101");
        jobs.runAll(100);
        var history = engine.getHistoryService();
        List<HistoricDetail> details = history.createHistoricDetailQuery().processInstanceId(pi.getId()).variableUpdates().list();
        assertThat(details).extracting(d -> ((HistoricVariableUpdate) d).getVariableName())
                .containsOnly("attempt", "waitReason").filteredOn("attempt"::equals).hasSize(2);
        assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(pi.getId()).activityType("exclusiveGateway").count())
                .isZero();
        assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(pi.getId()).activityId("Task_Send").count()).isEqualTo(2);
        assertThat(TrailHistoryLevel.DETAILED).containsExactlyInAnyOrder("attempt", "waitReason", "lastControl");
    }

    interface Check {
        void run() throws Exception;
    }

    /** The campaign instance {@code audit} the messages {@code audit/N} belong to, for the timeline, started at T0. */
    private static void withCampaignRow(Check check) throws Exception {
        DeliveryFixture.jdbc().update("insert into ACT_HI_PROCINST (ID_, PROC_INST_ID_, BUSINESS_KEY_, PROC_DEF_KEY_, PROC_DEF_ID_, START_TIME_, STATE_) "
                + "values ('audit', 'audit', 'audit-campaign', 'campaign', 'campaign:1', ?, 'COMPLETED')", Date.from(T0));
        try {
            check.run();
        } finally {
            DeliveryFixture.jdbc().update("delete from ACT_HI_PROCINST where ID_ = 'audit'");
        }
    }

    private ProcessInstance start(int row, String to) {
        return engine.getRuntimeService().startProcessInstanceByKey("delivery", "audit/" + row,
                DeliveryFixture.message(to, "hello", 1, null, "PENDING"));
    }
}
