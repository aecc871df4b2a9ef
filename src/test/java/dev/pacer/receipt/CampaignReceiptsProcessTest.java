package dev.pacer.receipt;

import dev.pacer.audit.ReportReader;
import dev.pacer.flow.Processes;
import dev.pacer.provider.ProviderEvent;
import dev.pacer.system.CamundaClock;
import dev.pacer.testkit.DeliveryFixture;
import dev.pacer.testkit.PacerEngine;
import dev.pacer.testkit.ScriptedSender;
import dev.pacer.testkit.TestProperties;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

/**
 * A campaign whose receipts say the carriers filter its messages as spam pauses itself, saying
 * why, once their share passes the ratio; the report counts each message DELIVERED or FAILED.
 */
@Deployment(resources = {"campaign.bpmn", "delivery.bpmn", "response-rules.dmn"})
class CampaignReceiptsProcessTest {

    @RegisterExtension
    static PacerEngine engine = new PacerEngine();

    private static final Instant T0 = Instant.parse("2030-01-07T15:00:00Z");

    @Test
    void shouldPauseACampaignWhoseFilteredShareOfReceiptsPassesTheRatio() {
        engine.clockAt(T0);
        RuntimeService runtime = engine.getRuntimeService();
        ScriptedSender sender = ScriptedSender.accepting();
        TestProperties properties = TestProperties.bandwidth("http://127.0.0.1:9", 600).receipts(0.25, 4);
        DeliveryFixture.Bound bound = DeliveryFixture.on(new CamundaClock()).sender(sender).dispatchWindow(10)
                .properties(properties.build()).register();
        StringBuilder recipients = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            recipients.append(i == 0 ? "" : ",").append("{\"to\": \"+1202555%04d\"}".formatted(1000 + i));
        }
        ProcessInstance campaign = runtime.startProcessInstanceByKey("campaign", Map.of("campaign", """
                {"name": "spammy", "provider": "bandwidth", "from": "+12025550100", "text": "Sale starts now", "recipients": [%s]}"""
                .formatted(recipients), "campaignDir", "."));
        engine.jobs(null).runUntil(T0.plusSeconds(5), 500);
        assertThat(sender.sent).as("all 8 sent, each waiting for its receipt").hasSize(8);

        // 3 delivered, then 2 filtered: 2 of 5 receipts is over a quarter
        for (int i = 1; i <= 3; i++) {
            bound.receipts().take("bandwidth", new ProviderEvent.Receipt("id-" + i, null, null, true, null, "ok", T0));
        }
        bound.receipts().take("bandwidth", new ProviderEvent.Receipt("id-4", null, null, false, "4470", "spam", T0));
        assertThat(engine.variable(campaign, "state")).as("1 of 4: not yet").isEqualTo("RUNNING");
        bound.receipts().take("bandwidth", new ProviderEvent.Receipt("id-5", null, null, false, "4770", "spam", T0));
        // the pause is a request the campaign's dispatch step applies, woken at once
        engine.jobs(Processes.CAMPAIGN).runDue();
        assertThat(engine.variable(campaign, "state")).isEqualTo("PAUSED");
        assertThat((String) engine.variable(campaign, "pauseReason")).contains("2 of 5 receipts").contains("filtered")
                .contains("filtered-pause-ratio");

        ReportReader reports = DeliveryFixture.reports(properties.build());
        assertThat(reports.read(campaign.getId()).outcomes()).containsEntry("DELIVERED", 3L).containsEntry("FAILED", 2L)
                .as("still waiting for their receipts").containsEntry("ACCEPTED", 3L);
        assertThat(reports.read(campaign.getId()).acceptedSegments()).as("all eight were taken by the provider").isEqualTo(8);
    }

    @Test
    void shouldWaitForTheReceiptsOfMessagesSentInABatchAndShowThemInTheExportAndTheChart() throws Exception {
        engine.clockAt(T0);
        RuntimeService runtime = engine.getRuntimeService();
        ScriptedSender sender = ScriptedSender.accepting();
        TestProperties properties = TestProperties.bandwidth("http://127.0.0.1:9", 600).receipts();
        DeliveryFixture.Bound bound = DeliveryFixture.on(new CamundaClock()).sender(sender).dispatchWindow(10).batchSend()
                .properties(properties.build()).register();
        ProcessInstance campaign = runtime.startProcessInstanceByKey("campaign", Map.of("campaign", """
                {"name": "receipted", "provider": "bandwidth", "from": "+12025550100", "text": "Sale starts now",
                 "recipients": [{"to": "+12025551000"}, {"to": "+12025551001"}, {"to": "+12025551002"}]}""", "campaignDir", "."));
        engine.jobs(null).runUntil(T0.plusSeconds(5), 500);
        assertThat(sender.sent).hasSize(3);
        assertThat(runtime.createExecutionQuery().messageEventSubscriptionName(dev.pacer.flow.Processes.RECEIPT).count())
                .as("sent in a batch, each waits for its receipt in the model's receipt event").isEqualTo(3);

        bound.receipts().take("bandwidth", new ProviderEvent.Receipt("id-1", null, null, true, null, "ok", T0));
        bound.receipts().take("bandwidth", new ProviderEvent.Receipt("id-2", null, null, false, "4770", "spam", T0));
        bound.receipts().take("bandwidth", new ProviderEvent.Receipt("id-3", null, null, true, null, "ok", T0));
        engine.jobs(null).runUntil(T0.plusSeconds(10), 500);

        assertThat(campaign).isEnded();
        ReportReader reports = DeliveryFixture.reports(properties.build());
        assertThat(reports.read(campaign.getId()).outcomes()).containsEntry("DELIVERED", 2L).containsEntry("FAILED", 1L);
        java.io.StringWriter csv = new java.io.StringWriter();
        dev.pacer.audit.MessageExport.write(reports, campaign.getId(), csv);
        assertThat(csv.toString().lines().findFirst().orElseThrow()).contains("provider_message_id,receipt_code,receipt_description");
        assertThat(csv.toString()).contains(",FAILED,").contains("4770");
        assertThat(dev.pacer.audit.CampaignTimeline.read(reports, campaign.getId()).delivered()).as("the chart's delivered line")
                .hasSize(2).allSatisfy(d -> assertThat(d.segments()).isEqualTo(1));
    }
}
