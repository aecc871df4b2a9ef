package dev.pacer.system;

import dev.pacer.delivery.DeliverySteps;
import dev.pacer.flow.DecisionTables;
import dev.pacer.metrics.DeliveryStats;
import dev.pacer.provider.Providers;
import dev.pacer.receipt.CampaignReceipts;
import dev.pacer.receipt.Receipts;
import dev.pacer.receipt.RecordReceiptDelegate;
import dev.pacer.receipt.Replies;
import dev.pacer.receipt.SimulatedReceipts;
import dev.pacer.suppression.SuppressionList;
import dev.pacer.throttle.Pacer;
import dev.pacer.webhook.Webhook;
import dev.pacer.webhook.WebhookExchange;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.ProducerTemplate;
import org.camunda.bpm.engine.DecisionService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Clock;

/** The wiring of what comes back from the providers and goes out to others: receipts, replies, and the downstream webhook. */
@Configuration(proxyBeanMethods = false)
class CallbackConfiguration {

    /** The downstream webhook of campaign events, on a node that sends, when {@code pacer.webhook.url} is set. */
    @Bean(destroyMethod = "close")
    @ConditionalOnExpression("'${pacer.webhook.url:}' != '' && !${pacer.history-only:false}")
    Webhook webhook(PacerProperties properties, Pacer pacer, Clock clock, ObjectProvider<ProducerTemplate> template, DeliveryStats stats) {
        PacerProperties.Webhook w = properties.webhook();
        Webhook webhook = new Webhook(pacer, clock, new Webhook.Settings(w.callsPerMinute(), w.maxAttempts(), w.capacity()),
                event -> template.getObject().requestBody("direct:webhook", event, Webhook.Answer.class));
        stats.listen(webhook);
        webhook.start();
        return webhook;
    }

    /** The Java half of the route {@code webhook} ({@code ref: webhookExchange}). */
    @Bean
    WebhookExchange webhookExchange(PacerProperties properties, ObjectMapper json, Clock clock) {
        return new WebhookExchange(properties.webhook().url(), properties.webhook().authorization(), json, clock);
    }

    // Receipts and replies (/callbacks/NAME)

    @Bean
    Receipts receipts(JdbcTemplate jdbc, RuntimeService runtime, Clock clock, PacerProperties properties,
                      org.springframework.context.ApplicationContext context) {
        PacerProperties.Receipts r = properties.receipts();
        boolean web = context instanceof org.springframework.boot.web.context.WebServerApplicationContext;
        if (r.enabled() && !web) {
            // pacer run has no web server: no receipt could reach it, and every message would wait out the timeout
            org.slf4j.LoggerFactory.getLogger(Receipts.class).warn("pacer.receipts.enabled is for pacer serve, whose /callbacks/NAME "
                    + "takes the receipts; this command has no web server, so its messages end ACCEPTED");
        }
        return new Receipts(jdbc, runtime, clock, new Receipts.Settings(r.enabled() && web, r.timeout(), r.keepUnmatched()));
    }

    /** Retries the receipts that came before their message waited for them, every few seconds, on a node that sends. */
    @Bean(destroyMethod = "shutdownNow")
    @ConditionalOnExpression("${pacer.receipts.enabled:false} && !${pacer.history-only:false}")
    java.util.concurrent.ScheduledExecutorService receiptSweep(Receipts receipts) {
        java.util.concurrent.ScheduledExecutorService sweep = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pacer-receipts");
            t.setDaemon(true);
            return t;
        });
        sweep.scheduleWithFixedDelay(() -> {
            try {
                receipts.sweep();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(Receipts.class).warn("receipt sweep failed, tried again shortly: {}", e.toString());
            }
        }, 5, 5, java.util.concurrent.TimeUnit.SECONDS);
        return sweep;
    }

    /** With receipts and the simulator on, the simulators post receipts to this server once it is up (pacer.simulator.receipts.*). */
    @Bean
    @ConditionalOnExpression("${pacer.receipts.enabled:false} && ${pacer.simulator.enabled:false}")
    SimulatedReceipts simulatedReceipts(Providers providers) {
        return new SimulatedReceipts(providers);
    }

    @Bean
    CampaignReceipts campaignReceipts(JdbcTemplate jdbc) {
        return new CampaignReceipts(jdbc);
    }

    @Bean
    RecordReceiptDelegate recordReceipt(DeliverySteps steps, RepositoryService repository, DecisionService decisions, Providers providers,
                                        Pacer pacer, SuppressionList suppression, CampaignReceipts campaigns, DeliveryStats stats, Clock clock,
                                        PacerProperties properties) {
        PacerProperties.Receipts r = properties.receipts();
        return new RecordReceiptDelegate(steps, new DecisionTables(repository, decisions), providers, pacer, suppression, campaigns, stats,
                clock, new RecordReceiptDelegate.Settings(r.timeout(), r.filteredPauseRatio(), r.filteredMinimum(), r.volumeWait()));
    }

    @Bean
    Replies replies(SuppressionList suppression, RuntimeService runtime, DeliveryStats stats, PacerProperties properties) {
        return new Replies(suppression, runtime, stats, properties.receipts().helpText());
    }
}
