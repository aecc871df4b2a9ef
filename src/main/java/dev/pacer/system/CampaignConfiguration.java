package dev.pacer.system;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.audit.ReportReader;
import dev.pacer.campaign.CampaignControl;
import dev.pacer.campaign.CampaignRunner;
import dev.pacer.campaign.CancelCampaign;
import dev.pacer.campaign.CompileReport;
import dev.pacer.campaign.ControlRequests;
import dev.pacer.campaign.DispatchMessages;
import dev.pacer.campaign.PauseCampaign;
import dev.pacer.campaign.ResumeCampaign;
import dev.pacer.campaign.ValidateCampaign;
import dev.pacer.delivery.BatchDelivery;
import dev.pacer.delivery.BatchedMessages;
import dev.pacer.delivery.DeliverySteps;
import dev.pacer.delivery.MessageFinishedListener;
import dev.pacer.delivery.PrepareDelegate;
import dev.pacer.delivery.SendDelegate;
import dev.pacer.delivery.SendLedger;
import dev.pacer.metrics.DeliveryStats;
import dev.pacer.provider.MessageSender;
import dev.pacer.provider.Providers;
import dev.pacer.receipt.Receipts;
import dev.pacer.throttle.Pacer;
import dev.pacer.webhook.Webhook;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;

import java.time.Clock;

/**
 * Wires a campaign's steps ({@code bpmn/campaign.bpmn}): validate, dispatch in batches, pause, resume
 * and cancel through requests, compile the report; and {@code pacer run}'s runner.
 */
@Configuration(proxyBeanMethods = false)
class CampaignConfiguration {

    @Bean
    CampaignControl campaignControl(Clock clock, PacerProperties properties, ControlRequests requests) {
        return new CampaignControl(clock, properties.dispatch().controlTtl(), requests);
    }

    @Bean
    CampaignRunner campaignRunner(RuntimeService runtime, HistoryService history, ReportReader reports, Providers providers, Clock clock) {
        return new CampaignRunner(runtime, history, reports, providers, clock);
    }

    @Bean
    ValidateCampaign validateCampaign(Providers providers, Clock clock, PacerProperties properties) {
        return new ValidateCampaign(providers, clock, properties.audienceDir());
    }

    @Bean
    DispatchMessages dispatchMessages(RuntimeService runtime, Providers providers, PacerProperties properties, DeliveryStats stats,
                                      Receipts receipts, BatchDelivery batches, Clock clock, ControlRequests requests,
                                      PauseCampaign pause, ResumeCampaign resume, CancelCampaign cancel) {
        PacerProperties.Dispatch d = properties.dispatch();
        return new DispatchMessages(runtime, providers, new DispatchMessages.Settings(d.window(), d.batch(), receipts.settings().enabled(),
                d.interval()), stats, batches, clock, requests, new ControlRequests.Steps(pause, resume, cancel));
    }

    @Bean
    ControlRequests controlRequests(JdbcTemplate jdbc, PlatformTransactionManager transactions, Clock clock) {
        return new ControlRequests(jdbc, PacerConfiguration.ownTransaction(transactions), clock);
    }

    @Bean
    BatchedMessages batchedMessages(JdbcTemplate jdbc) {
        return new BatchedMessages(jdbc);
    }

    /** Campaigns' batches; their requests go out from a pool of daemon threads ({@code pacer.dispatch.batch-threads}). */
    @Bean
    BatchDelivery batchDelivery(PrepareDelegate prepare, DeliverySteps steps, SendDelegate send, Pacer pacer, MessageSender sender,
                                SendLedger ledger, BatchedMessages messages, MessageFinishedListener finished, Clock clock,
                                PacerProperties properties) {
        PacerProperties.Dispatch d = properties.dispatch();
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(d.batchThreads(), r -> {
            Thread t = new Thread(r, "pacer-send-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        return new BatchDelivery(prepare, steps, send, pacer, sender, ledger, messages, finished, clock, pool, BatchDelivery.realTime(clock),
                new BatchDelivery.Settings(d.batchSend(), d.batchHorizon()));
    }

    @Bean
    CompileReport compileReport(ReportReader reports, ObjectMapper json, ObjectProvider<Webhook> webhook) {
        return new CompileReport(reports, json, report -> webhook.ifAvailable(w -> w.campaignFinished(report)));
    }

    @Bean
    PauseCampaign pauseCampaign(CampaignControl control) {
        return new PauseCampaign(control);
    }

    @Bean
    ResumeCampaign resumeCampaign(CampaignControl control, Providers providers, Pacer pacer) {
        return new ResumeCampaign(control, providers, pacer);
    }

    @Bean
    CancelCampaign cancelCampaign(CampaignControl control, Clock clock) {
        return new CancelCampaign(control, clock);
    }
}
