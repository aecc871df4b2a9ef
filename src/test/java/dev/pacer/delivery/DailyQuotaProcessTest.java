package dev.pacer.delivery;

import dev.pacer.audit.ReportReader;
import dev.pacer.flow.Processes;
import dev.pacer.system.CamundaClock;
import dev.pacer.testkit.DeliveryFixture;
import dev.pacer.testkit.PacerEngine;
import dev.pacer.testkit.ScriptedSender;
import dev.pacer.testkit.TestProperties;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An account's {@code daily-quota} on a controlled clock: the sends stop when the day's quota is
 * spent, before a carrier's cap could be met; the account holds until midnight in its reset zone,
 * where the messages left go on, and a message whose deadline comes first expires. For messages
 * with an instance each and for a campaign sent in batches.
 */
@Deployment(resources = {"campaign.bpmn", "delivery.bpmn", "response-rules.dmn"})
class DailyQuotaProcessTest {

    @RegisterExtension
    static PacerEngine engine = new PacerEngine();

    /** 01:00 in Los Angeles: the day's quota is renewed 23 hours later. */
    private static final Instant T0 = Instant.parse("2030-01-01T09:00:00Z");
    private static final Instant RESET = ZonedDateTime.of(2030, 1, 2, 0, 0, 0, 0, ZoneId.of("America/Los_Angeles")).toInstant();

    private final ScriptedSender sender = ScriptedSender.accepting();

    private DeliveryFixture.Bound setUp(boolean batches) {
        engine.clockAt(T0);
        DeliveryFixture fixture = DeliveryFixture.on(new CamundaClock()).sender(sender)
                .properties(TestProperties.bandwidth("http://127.0.0.1:9", 600).dailyQuota(3).build());
        return (batches ? fixture.dispatchWindow(50).batchSend() : fixture).register();
    }

    @Test
    void shouldStopSendingWhenTheDaysQuotaIsSpentAndGoOnWhenItIsRenewed() {
        setUp(false);
        List<ProcessInstance> messages = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            messages.add(engine.startMessage(DeliveryFixture.message("+1202555010" + i, "hello", 1, null, "PENDING")));
        }
        messages.forEach(engine::drive);

        assertThat(sender.sent).hasSize(5);
        assertThat(sender.sent.subList(0, 3)).as("the day's quota of 3").allSatisfy(s -> assertThat(s.at()).isBefore(RESET));
        assertThat(sender.sent.subList(3, 5)).as("the rest wait for the next day's").allSatisfy(s -> assertThat(s.at()).isAfterOrEqualTo(RESET));
        messages.forEach(pi -> assertThat(engine.variable(pi, "outcome")).isEqualTo("ACCEPTED"));
        assertThat(engine.getHistoryService().createHistoricDetailQuery().variableUpdates().processInstanceId(messages.get(3).getId())
                .list()).as("the wait says why")
                .anySatisfy(d -> assertThat(String.valueOf(((org.camunda.bpm.engine.history.HistoricVariableUpdate) d).getValue()))
                        .startsWith("daily quota: bandwidth's daily quota of 3 is spent"));
        DailyQuotas quotas = new DailyQuotas(DeliveryFixture.jdbc(), org.springframework.transaction.support.TransactionOperations.withoutTransaction(),
                new CamundaClock());
        assertThat(quotas.used("bandwidth", LocalDate.of(2030, 1, 1))).isEqualTo(3);
        assertThat(quotas.used("bandwidth", LocalDate.of(2030, 1, 2))).as("a block of the next day's").isGreaterThanOrEqualTo(2);
    }

    @Test
    void shouldExpireAMessageWhoseDeadlineComesBeforeTheQuotaIsRenewed() {
        setUp(false);
        for (int i = 0; i < 3; i++) {
            engine.drive(engine.startMessage(DeliveryFixture.message("+1202555010" + i, "hello", 1, null, "PENDING")));
        }
        ProcessInstance late = engine.startMessage(DeliveryFixture.message("+12025550109", "hello", 1, T0.plusSeconds(3600), "PENDING"));
        engine.drive(late);

        assertThat(sender.sent).hasSize(3);
        assertThat(engine.variable(late, "outcome")).isEqualTo("EXPIRED");
        assertThat((String) engine.variable(late, "reason")).contains("daily quota of 3 is spent");
    }

    @Test
    void shouldHoldABatchedCampaignAtTheQuotaUntilMidnight() {
        setUp(true);
        ProcessInstance campaign = engine.getRuntimeService().startProcessInstanceByKey("campaign", Map.of("campaign", """
                {"name": "quota", "provider": "bandwidth", "from": "+12025550100", "text": "Sale starts now", "recipients": [
                {"to": "+12025551000"}, {"to": "+12025551001"}, {"to": "+12025551002"}, {"to": "+12025551003"},
                {"to": "+12025551004"}]}""", "campaignDir", "."));
        int ran = engine.jobs(null).runUntil(RESET.plusSeconds(60), 2000);
        assertThat(ran).as("the campaign does not wake every interval through the night").isLessThan(400);

        assertThat(engine.getRuntimeService().createProcessInstanceQuery().processInstanceId(campaign.getId()).count()).isZero();
        assertThat(sender.sent).hasSize(5);
        assertThat(sender.sent.subList(0, 3)).allSatisfy(s -> assertThat(s.at()).isBefore(T0.plusSeconds(10)));
        assertThat(sender.sent.subList(3, 5)).allSatisfy(s -> assertThat(s.at()).isAfterOrEqualTo(RESET));
        ReportReader reports = DeliveryFixture.reports(TestProperties.withProvider("http://127.0.0.1:9", 600));
        var report = reports.read(campaign.getId());
        assertThat(report.outcomes()).containsEntry("ACCEPTED", 5L);
        assertThat(report.sendAttempts()).as("nothing sent twice").isEqualTo(5);
        assertThat(sender.sent).extracting(s -> s.message().key()).doesNotHaveDuplicates()
                .contains(Processes.messageKey(campaign.getId(), 4));
    }
}
