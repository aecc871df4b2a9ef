package dev.pacer.system;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.audit.ReportReader;
import dev.pacer.audit.TrailHistoryLevel;
import dev.pacer.audit.TrailReader;
import dev.pacer.provider.BandwidthResponses;
import dev.pacer.provider.MessageSender;
import dev.pacer.retry.WaitBounds;
import dev.pacer.throttle.Pacer;
import org.apache.camel.ProducerTemplate;
import org.camunda.bpm.engine.RuntimeService;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import io.micrometer.core.instrument.MeterRegistry;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Clock;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/** Wires the framework-free core (pacer, backoff, response reading) into Camunda delegates and Camel beans. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(PacerProperties.class)
class PacerConfiguration {

    @Bean
    Clock pacerClock() {
        return new CamundaClock();
    }

    /** Registers the history level {@code trail} with the engine ({@code camunda.bpm.history-level}). */
    @Bean
    static TrailHistoryLevel.Plugin trailHistoryLevel() {
        return new TrailHistoryLevel.Plugin();
    }

    @Bean
    RandomGenerator pacerRandom() {
        return new SplittableRandom();
    }

    @Bean
    Pacer pacer(Clock clock, PacerProperties properties, RandomGenerator random) {
        PacerProperties.Adaptive a = properties.adaptive();
        return new Pacer(clock, new Pacer.Settings(properties.dispatch().bulkHorizon(), properties.retry().pauseJitter(),
                new Pacer.Adaptation(a.decrease(), a.increaseStep(), a.quietPeriod(), a.floor()), properties.dispatch().bulkShare()), random);
    }

    @Bean(destroyMethod = "close")
    Providers providers(PacerProperties properties, Pacer pacer, Clock clock) {
        return new Providers(properties, pacer, clock);
    }

    @Bean
    BandwidthExchange bandwidthExchange(Providers providers, PacerProperties properties, Clock clock) {
        PacerProperties.Retry r = properties.retry();
        return new BandwidthExchange(providers, new BandwidthResponses(new WaitBounds(r.minWait(), r.maxWait()), r.fallbackWait()), clock);
    }

    @Bean
    MessageSender messageSender(ProducerTemplate template) {
        return new CamelSender(template);
    }

    @Bean
    DeliveryStats deliveryStats() {
        return new DeliveryStats();
    }

    @Bean
    ReportReader reportReader(JdbcTemplate jdbc, PacerProperties properties) {
        return new ReportReader(jdbc, provider -> {
            PacerProperties.Provider p = properties.providers().get(provider);
            return p == null ? 0 : p.segmentsPerMinute();
        });
    }

    @Bean
    PacerMetrics pacerMetrics(MeterRegistry registry, DeliveryStats stats, Pacer pacer, Providers providers, JdbcTemplate jdbc) {
        // providers first: the scopes they register get their gauges from the start
        return new PacerMetrics(registry, stats, pacer, jdbc, Clock.systemUTC(), Duration.ofSeconds(1));
    }

    @Bean
    TrailReader trailReader(JdbcTemplate jdbc, Clock clock) {
        return new TrailReader(jdbc, clock);
    }

    @Bean
    CampaignControl campaignControl(Clock clock, PacerProperties properties) {
        return new CampaignControl(clock, properties.dispatch().controlTtl());
    }

    @Bean
    SuppressionList suppressionList(JdbcTemplate jdbc, Clock clock, PacerProperties properties) {
        SuppressionList list = new SuppressionList(jdbc, clock);
        if (properties.suppression().file() != null && !properties.suppression().file().isBlank()) {
            list.importFile(Path.of(properties.suppression().file()));
        }
        return list;
    }

    // Delegates, bound by name from the BPMN files (camunda:delegateExpression="${throttle}").

    @Bean
    PrepareDelegate prepareMessage(Providers providers, SuppressionList suppression, Clock clock, PacerProperties properties) {
        return new PrepareDelegate(providers, suppression, clock, properties.dispatch().maxLifetime());
    }

    @Bean
    ThrottleDelegate throttle(Pacer pacer, Providers providers, Clock clock, CampaignControl control) {
        return new ThrottleDelegate(pacer, providers, clock, control);
    }

    @Bean
    SendDelegate sendMessage(Pacer pacer, Providers providers, MessageSender sender, DeliveryStats stats, Clock clock,
                             PacerProperties properties, CampaignControl control, SuppressionList suppression) {
        return new SendDelegate(pacer, providers, sender, stats, clock, properties.dispatch().inFlightWait(),
                properties.retry().rateLimitBudget(), control, suppression);
    }

    @Bean
    RecordExpiryDelegate recordExpiry(Pacer pacer, Providers providers) {
        return new RecordExpiryDelegate(pacer, providers);
    }

    @Bean
    CampaignDelegates.Pause pauseCampaign(CampaignControl control) {
        return new CampaignDelegates.Pause(control);
    }

    @Bean
    CampaignDelegates.Resume resumeCampaign(CampaignControl control, Providers providers, Pacer pacer) {
        return new CampaignDelegates.Resume(control, providers, pacer);
    }

    @Bean
    CampaignDelegates.Cancel cancelCampaign(CampaignControl control, Clock clock) {
        return new CampaignDelegates.Cancel(control, clock);
    }

    @Bean
    ScheduleRetryDelegate scheduleRetry(PacerProperties properties, Clock clock, RandomGenerator random) {
        return new ScheduleRetryDelegate(properties.retry(), clock, random);
    }

    @Bean
    CampaignDelegates.Validate validateCampaign(Providers providers, Clock clock) {
        return new CampaignDelegates.Validate(providers, clock);
    }

    @Bean
    CampaignDelegates.Dispatch dispatchMessages(RuntimeService runtime, Providers providers, PacerProperties properties,
                                                DeliveryStats stats) {
        return new CampaignDelegates.Dispatch(runtime, providers, properties.dispatch(), stats);
    }

    @Bean
    CampaignDelegates.CompileReport compileReport(ReportReader reports, ObjectMapper json) {
        return new CampaignDelegates.CompileReport(reports, json);
    }

    @Bean
    CampaignDelegates.MessageFinished messageFinished(DeliveryStats stats) {
        return new CampaignDelegates.MessageFinished(stats);
    }

    /** The timer expression of the campaign's dispatch loop ({@code ${dispatchInterval}}). */
    @Bean
    String dispatchInterval(PacerProperties properties) {
        return properties.dispatch().interval().toString();
    }
}
