package dev.pacer.system;

import dev.pacer.audit.ReportReader;
import dev.pacer.audit.TrailHistoryLevel;
import dev.pacer.audit.TrailReader;
import dev.pacer.campaign.CampaignControl;
import dev.pacer.cluster.ClusterNode;
import dev.pacer.delivery.CredentialCheck;
import dev.pacer.delivery.DailyQuotas;
import dev.pacer.delivery.DeliverySteps;
import dev.pacer.flow.DeploymentChecks;
import dev.pacer.flow.Processes;
import dev.pacer.delivery.DeployedModels;
import dev.pacer.security.ModelBeans;
import dev.pacer.delivery.MessageFinishedListener;
import dev.pacer.delivery.MessageLane;
import dev.pacer.delivery.MessageKeys;
import dev.pacer.delivery.PrepareDelegate;
import dev.pacer.delivery.RecordExpiryDelegate;
import dev.pacer.delivery.ResponseRules;
import dev.pacer.delivery.ScheduleRetryDelegate;
import dev.pacer.delivery.SendDelegate;
import dev.pacer.delivery.SendLedger;
import dev.pacer.delivery.SettleSendDelegate;
import dev.pacer.delivery.ThrottleDelegate;
import dev.pacer.metrics.DeliveryStats;
import dev.pacer.metrics.PacerMetrics;
import dev.pacer.provider.CamelSender;
import dev.pacer.provider.MessageSender;
import dev.pacer.provider.ProviderApi;
import dev.pacer.provider.ProviderExchange;
import dev.pacer.provider.ProviderLookup;
import dev.pacer.provider.SentMessages;
import dev.pacer.provider.Providers;
import dev.pacer.provider.bandwidth.BandwidthApi;
import dev.pacer.provider.genesys.GenesysApi;
import dev.pacer.provider.genesys.GenesysTokens;
import dev.pacer.provider.twilio.TwilioApi;
import dev.pacer.receipt.Receipts;
import dev.pacer.retry.WaitBounds;
import dev.pacer.suppression.SuppressionList;
import dev.pacer.throttle.Adaptation;
import dev.pacer.throttle.CircuitSettings;
import dev.pacer.throttle.Pacer;
import dev.pacer.throttle.ScopeLimit;
import dev.pacer.throttle.PacerSettings;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.ProducerTemplate;
import org.camunda.bpm.engine.DecisionService;
import org.camunda.bpm.engine.impl.cfg.CompositeProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.cfg.ProcessEnginePlugin;
import org.camunda.bpm.spring.boot.starter.util.CamundaSpringBootUtil;
import org.springframework.beans.factory.BeanFactory;
import org.camunda.bpm.engine.RepositoryService;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/** Wires the framework-free core (pacer, backoff, response reading) into Camunda delegates and Camel beans. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(PacerProperties.class)
class PacerConfiguration {

    /**
     * The engine's configuration as Camunda's starter makes it (which then makes none), taking the
     * MyBatis mappings parsed while Spring started ({@link EarlyMappings}).
     */
    @Bean
    ProcessEngineConfigurationImpl processEngineConfigurationImpl(List<ProcessEnginePlugin> plugins) {
        PacerEngineConfiguration configuration = new PacerEngineConfiguration();
        CamundaSpringBootUtil.initCustomFields(configuration);
        configuration.getProcessEnginePlugins().add(new CompositeProcessEnginePlugin(plugins));
        return configuration;
    }

    @Bean
    Clock pacerClock() {
        return new CamundaClock();
    }

    /** Registers the history level {@code trail} with the engine ({@code camunda.bpm.history-level}). */
    @Bean
    static TrailHistoryLevel.Plugin trailHistoryLevel() {
        return new TrailHistoryLevel.Plugin();
    }

    /** Expressions in the models reach the beans they name ({@link Processes#BEANS}), nothing else of the application. */
    @Bean
    static ProcessEnginePlugin modelBeans(BeanFactory beans) {
        return ModelBeans.plugin(beans, Processes.BEANS);
    }

    /**
     * Models and tables that name an unknown bean, variable, decision, provider account or retry
     * policy are refused at deployment, naming the element (looked up then: the engine deploys
     * before the rest of the application is wired).
     */
    @Bean
    static ProcessEnginePlugin deploymentChecks(BeanFactory beans) {
        return DeploymentChecks.plugin(() -> beans.getBean(Providers.class).names(),
                () -> beans.getBean(PacerProperties.class).retry().backoffs());
    }

    /** What the deployed models set for the delivery steps: their accounts, their retry policies. */
    @Bean
    DeployedModels deployedModels(RepositoryService repository, PacerProperties properties) {
        return new DeployedModels(repository, properties.retry().backoffs());
    }

    @Bean
    RandomGenerator pacerRandom() {
        return new SplittableRandom();
    }

    @Bean
    Pacer pacer(Clock clock, PacerProperties properties, RandomGenerator random) {
        PacerProperties.Adaptive a = properties.adaptive();
        PacerProperties.Circuit c = properties.circuit();
        return new Pacer(clock, new PacerSettings(properties.dispatch().bulkHorizon(), properties.retry().pauseJitter(),
                new Adaptation(a.decrease(), a.increaseStep(), a.quietPeriod(), a.floor()), properties.dispatch().bulkShare(),
                new CircuitSettings(c.threshold(), c.firstProbe(), c.maxProbe())), random);
    }

    // Providers: each API is a bean; the accounts name them by type.

    @Bean
    BandwidthApi bandwidthApi(PacerProperties properties) {
        PacerProperties.Retry r = properties.retry();
        return new BandwidthApi(new WaitBounds(r.minWait(), r.maxWait()), r.fallbackWait());
    }

    @Bean
    TwilioApi twilioApi(PacerProperties properties, Clock clock) {
        PacerProperties.Retry r = properties.retry();
        return new TwilioApi(new WaitBounds(r.minWait(), r.maxWait()), r.fallbackWait(), clock, properties.publicUrl());
    }

    /** Genesys Cloud's OAuth tokens, had through the route {@code genesys-token} ({@code ref: genesysTokens}). */
    @Bean
    GenesysTokens genesysTokens(ObjectProvider<ProducerTemplate> template, Clock clock) {
        return new GenesysTokens(account -> template.getObject().requestBody("direct:genesys-token", account, GenesysTokens.Answer.class),
                clock);
    }

    @Bean
    GenesysApi genesysApi(PacerProperties properties, GenesysTokens tokens) {
        PacerProperties.Retry r = properties.retry();
        return new GenesysApi(new WaitBounds(r.minWait(), r.maxWait()), r.fallbackWait(), tokens);
    }

    /** A node that only reads history ({@code pacer report}, {@code trail}: {@code pacer.history-only}) needs no base-url. */
    @Bean(destroyMethod = "close")
    Providers providers(PacerProperties properties, List<ProviderApi> apis, Pacer pacer, Clock clock,
                        @Value("${pacer.history-only:false}") boolean historyOnly) {
        return new Providers(properties.providers(), apis, properties.simulator(), pacer, clock, !historyOnly);
    }

    /** The Java half of the provider routes ({@code ref: providerExchange} in {@code routes/}). */
    @Bean
    ProviderExchange providerExchange(Providers providers, Clock clock) {
        return new ProviderExchange(providers, clock);
    }

    @Bean
    CredentialCheck credentialCheck(ProducerTemplate template, Providers providers, ResponseRules rules) {
        return new CredentialCheck(template, providers, rules);
    }

    @Bean
    MessageSender messageSender(ProducerTemplate template, Providers providers) {
        return new CamelSender(template, providers);
    }

    @Bean
    DeliveryStats deliveryStats() {
        return new DeliveryStats();
    }

    @Bean
    ReportReader reportReader(JdbcTemplate jdbc, Providers providers) {
        return new ReportReader(jdbc, provider -> unit(providers, provider) == null ? 0
                        : providers.account(provider).settings().perMinute(unit(providers, provider)),
                provider -> unit(providers, provider) == ScopeLimit.Unit.REQUESTS);
    }

    /** What an account's limit counts; null for an account no longer configured. */
    private static ScopeLimit.Unit unit(Providers providers, String provider) {
        return providers.names().contains(provider) ? providers.api(providers.account(provider)).accountUnit() : null;
    }

    @Bean
    PacerMetrics pacerMetrics(MeterRegistry registry, DeliveryStats stats, Pacer pacer, Providers providers, JdbcTemplate jdbc,
                              PacerProperties properties) {
        // providers first: the scopes they register get their gauges from the start
        return new PacerMetrics(registry, stats, pacer, jdbc, Clock.systemUTC(), Duration.ofSeconds(1), properties.receipts().enabled());
    }

    @Bean
    TrailReader trailReader(JdbcTemplate jdbc, Clock clock) {
        return new TrailReader(jdbc, clock);
    }

    @Bean
    SuppressionList suppressionList(JdbcTemplate jdbc, Clock clock, PacerProperties properties) {
        SuppressionList list = new SuppressionList(jdbc, clock);
        if (properties.suppression().file() != null && !properties.suppression().file().isBlank()) {
            list.importFile(Path.of(properties.suppression().file()));
        }
        return list;
    }

    @Bean
    ResponseRules responseRules(RepositoryService repository, DecisionService decisions) {
        return new ResponseRules(repository, decisions);
    }

    @Bean
    DeliverySteps deliverySteps(Providers providers, CampaignControl control) {
        return new DeliverySteps(providers, control);
    }

    // Delegates, bound by name from the BPMN files (camunda:delegateExpression="${throttle}").

    @Bean
    MessageKeys messageKeys(JdbcTemplate jdbc, Clock clock, PacerProperties properties) {
        return new MessageKeys(jdbc, clock, properties.dispatch().maxLifetime());
    }

    @Bean
    PrepareDelegate prepareMessage(DeliverySteps steps, MessageKeys keys, Providers providers, SuppressionList suppression, Clock clock,
                                   PacerProperties properties, DeployedModels models) {
        return new PrepareDelegate(steps, keys, providers, suppression, clock, properties.dispatch().maxLifetime(), models);
    }

    @Bean
    ThrottleDelegate throttle(DeliverySteps steps, Pacer pacer, Clock clock, PacerProperties properties) {
        return new ThrottleDelegate(steps, pacer, clock, properties.dispatch().realtimeInline(), at -> {
            long millis = java.time.Duration.between(clock.instant(), at).toMillis();
            if (millis > 0) {
                Thread.sleep(millis);
            }
        });
    }

    /**
     * This node in the cluster of the nodes on its database: they share every scope's budget. Not
     * for a node that only reads history ({@code pacer report}, {@code trail}): it sends nothing.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(name = "pacer.history-only", havingValue = "false", matchIfMissing = true)
    ClusterNode clusterNode(JdbcTemplate jdbc, PlatformTransactionManager transactions, Pacer pacer, Clock clock, PacerProperties properties) {
        PacerProperties.Cluster c = properties.cluster();
        return new ClusterNode(jdbc, ownTransaction(transactions), pacer, clock, PacerApplication.nodeName(),
                new ClusterNode.Settings(c.heartbeat(), c.nodeTimeout(), c.poll())).start();
    }

    /** Runs a unit of work in a transaction of its own, committed before it returns, whatever the caller's. */
    static TransactionTemplate ownTransaction(PlatformTransactionManager transactions) {
        TransactionTemplate own = new TransactionTemplate(transactions);
        own.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        return own;
    }

    /**
     * The sends in flight, each committed in a transaction of its own (never the job's) before its
     * request and after its answer.
     */
    @Bean
    SendLedger sendLedger(JdbcTemplate jdbc, PlatformTransactionManager transactions) {
        return new SendLedger(jdbc, ownTransaction(transactions), PacerApplication.nodeName());
    }

    @Bean
    DailyQuotas dailyQuotas(JdbcTemplate jdbc, PlatformTransactionManager transactions, Clock clock) {
        return new DailyQuotas(jdbc, ownTransaction(transactions), clock);
    }

    @Bean
    SendDelegate sendMessage(DeliverySteps steps, Pacer pacer, Providers providers, MessageSender sender, SendLedger ledger, DailyQuotas quotas,
                             Receipts receipts, ResponseRules rules, SuppressionList suppression, DeliveryStats stats, Clock clock,
                             PacerProperties properties) {
        return new SendDelegate(steps, pacer, providers, sender, ledger, quotas, receipts, rules, suppression, stats, clock,
                new SendDelegate.Settings(properties.dispatch().inFlightWait(), properties.retry().rateLimitBudget(),
                        properties.dispatch().lateSlot(), properties.doubt().settleAfter()));
    }

    @Bean
    SentMessages sentMessages(ProducerTemplate template, Providers providers, Clock clock) {
        return new ProviderLookup(template, providers, clock);
    }

    @Bean
    SettleSendDelegate settleSend(DeliverySteps steps, SendLedger ledger, SentMessages sentMessages, Providers providers, Pacer pacer,
                                  DeliveryStats stats, Clock clock, PacerProperties properties) {
        return new SettleSendDelegate(steps, ledger, sentMessages, providers, pacer, stats, clock,
                new SettleSendDelegate.Settings(properties.doubt().settleAfter(), properties.doubt().lookups(), properties.doubt().onDoubt()));
    }

    @Bean
    RecordExpiryDelegate recordExpiry(DeliverySteps steps, Pacer pacer) {
        return new RecordExpiryDelegate(steps, pacer);
    }

    @Bean
    ScheduleRetryDelegate scheduleRetry(DeliverySteps steps, DeployedModels models, Clock clock, RandomGenerator random) {
        return new ScheduleRetryDelegate(steps, models, clock, random);
    }

    /** Which messages go the whole way in their caller's transaction ({@code bpmn/delivery.bpmn}'s first gateway). */
    @Bean
    MessageLane messageLane() {
        return new MessageLane();
    }

    @Bean
    MessageFinishedListener messageFinished(DeliveryStats stats, SendLedger ledger, PacerProperties properties) {
        return new MessageFinishedListener(stats, ledger, properties.history().keepRealtimeText());
    }
}
