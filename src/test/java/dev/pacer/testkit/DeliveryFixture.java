package dev.pacer.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.audit.ReportReader;
import dev.pacer.campaign.ControlRequests;
import dev.pacer.campaign.CampaignControl;
import dev.pacer.campaign.CompileReport;
import dev.pacer.campaign.DispatchMessages;
import dev.pacer.campaign.ValidateCampaign;
import dev.pacer.campaign.CancelCampaign;
import dev.pacer.campaign.PauseCampaign;
import dev.pacer.campaign.ResumeCampaign;
import dev.pacer.delivery.DailyQuotas;
import dev.pacer.delivery.DeliverySteps;
import dev.pacer.delivery.DeployedModels;
import dev.pacer.delivery.MessageFinishedListener;
import dev.pacer.delivery.MessageLane;
import dev.pacer.delivery.MessageKeys;
import dev.pacer.delivery.BatchDelivery;
import dev.pacer.delivery.BatchedMessages;
import dev.pacer.delivery.PrepareDelegate;
import dev.pacer.delivery.RecordExpiryDelegate;
import dev.pacer.delivery.ResponseRules;
import dev.pacer.delivery.ScheduleRetryDelegate;
import dev.pacer.delivery.SendDelegate;
import dev.pacer.delivery.SendLedger;
import dev.pacer.delivery.SettleSendDelegate;
import dev.pacer.delivery.ThrottleDelegate;
import dev.pacer.flow.Outcome;
import dev.pacer.metrics.DeliveryStats;
import dev.pacer.provider.Lookup;
import dev.pacer.provider.MessageSender;
import dev.pacer.provider.SentMessages;
import dev.pacer.provider.Providers;
import dev.pacer.provider.bandwidth.BandwidthApi;
import dev.pacer.provider.twilio.TwilioApi;
import dev.pacer.flow.DecisionTables;
import dev.pacer.receipt.CampaignReceipts;
import dev.pacer.receipt.Receipts;
import dev.pacer.receipt.RecordReceiptDelegate;
import dev.pacer.provider.ProviderApi;
import dev.pacer.retry.WaitBounds;
import dev.pacer.suppression.SuppressionList;
import dev.pacer.system.CamundaClock;
import dev.pacer.system.PacerProperties;
import dev.pacer.throttle.Adaptation;
import dev.pacer.throttle.Pacer;
import dev.pacer.throttle.PacerSettings;
import dev.pacer.throttle.Priority;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngines;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.test.mock.Mocks;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionOperations;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.pacer.flow.MessageVariables.ATTEMPTS;
import static dev.pacer.flow.MessageVariables.DEADLINE;
import static dev.pacer.flow.MessageVariables.FAILURES;
import static dev.pacer.flow.MessageVariables.FROM;
import static dev.pacer.flow.MessageVariables.OUTCOME;
import static dev.pacer.flow.MessageVariables.PRIORITY;
import static dev.pacer.flow.MessageVariables.PROVIDER;
import static dev.pacer.flow.MessageVariables.RATE_LIMITED;
import static dev.pacer.flow.MessageVariables.SEGMENTS;
import static dev.pacer.flow.MessageVariables.TEXT;
import static dev.pacer.flow.MessageVariables.TO;

/**
 * The delivery and campaign flows' delegates for the process-test engine, bound by the names the
 * models use ({@code ${throttle}}, {@code ${sendMessage}}...): real delegates over a test's pacer,
 * provider accounts and sender. Set what the test needs and {@link #register()}; the rest is defaulted.
 */
public final class DeliveryFixture {

    private final CamundaClock clock;
    private Pacer pacer;
    private PacerProperties properties;
    private List<ProviderApi> apis;
    private MessageSender sender;
    private DeliveryStats stats = new DeliveryStats();
    private SuppressionList suppression;
    private CampaignControl control;
    private SentMessages sentMessages = send -> Lookup.unknown("this test's provider has no message list");
    private Duration inFlightWait = Duration.ZERO;
    private int dispatchWindow = 100;
    private boolean batchSend = Boolean.getBoolean("pacer.test.batch-send");

    private DeliveryFixture(CamundaClock clock) {
        this.clock = clock;
    }

    /** Delegates on the engine clock, with the test pacer, one Bandwidth account at 60 segments a minute, an empty suppression list. */
    public static DeliveryFixture on(CamundaClock clock) {
        return new DeliveryFixture(clock);
    }

    public DeliveryFixture pacer(Pacer pacer) {
        this.pacer = pacer;
        return this;
    }

    public DeliveryFixture properties(PacerProperties properties) {
        this.properties = properties;
        return this;
    }

    /** The provider APIs the accounts go through, instead of Bandwidth's and Twilio's. */
    public DeliveryFixture apis(List<ProviderApi> apis) {
        this.apis = apis;
        return this;
    }

    public DeliveryFixture sender(MessageSender sender) {
        this.sender = sender;
        return this;
    }

    public DeliveryFixture stats(DeliveryStats stats) {
        this.stats = stats;
        return this;
    }

    public DeliveryFixture suppression(SuppressionList suppression) {
        this.suppression = suppression;
        return this;
    }

    /** The provider's message list, asked about sends in doubt (by default it cannot tell). */
    public DeliveryFixture sentMessages(SentMessages sentMessages) {
        this.sentMessages = sentMessages;
        return this;
    }

    public DeliveryFixture control(CampaignControl control) {
        this.control = control;
        return this;
    }

    /** The most messages of one campaign alive at once, which is also its dispatch batch. */
    public DeliveryFixture dispatchWindow(int window) {
        this.dispatchWindow = window;
        return this;
    }

    /** Campaigns send in batches from their dispatch step (off by default: every message is an instance). */
    public DeliveryFixture batchSend() {
        this.batchSend = true;
        return this;
    }

    /** What was bound: the pieces a test looks into afterwards. */
    public record Bound(Pacer pacer, Providers providers, DeliveryStats stats, SuppressionList suppression, CampaignControl control,
                        DeliverySteps steps, SendLedger ledger, Receipts receipts) {
    }

    /** Binds every delegate of both flows by its model name. */
    public Bound register() {
        Pacer p = pacer != null ? pacer : pacer(clock);
        PacerProperties props = properties != null ? properties : TestProperties.withProvider("http://127.0.0.1:9", 60);
        Providers providers = apis != null ? new Providers(props.providers(), apis, props.simulator(), p, clock) : providers(props, p, clock);
        SuppressionList list = suppression != null ? suppression : suppression(clock);
        ControlRequests requests = controlRequests(clock);
        CampaignControl c = control != null ? control : new CampaignControl(clock, Duration.ofSeconds(1), requests);
        ProcessEngine engine = engine();
        DeliverySteps steps = new DeliverySteps(providers, c);
        SendLedger ledger = ledger();
        DeployedModels models = new DeployedModels(engine.getRepositoryService(), props.retry().backoffs());
        PrepareDelegate prepare = new PrepareDelegate(steps, keys(clock), providers, list, clock, Duration.ofDays(30), models);
        Mocks.register("prepareMessage", prepare);
        // a wait in the step's own thread moves the engine clock: no test sleeps
        Mocks.register("throttle", new ThrottleDelegate(steps, p, clock, props.dispatch().realtimeInline(), at -> {
            if (at.isAfter(clock.instant())) {
                ClockUtil.setCurrentTime(java.util.Date.from(at));
            }
        }));
        PacerProperties.Receipts r = props.receipts();
        Receipts receipts = new Receipts(jdbc(), engine.getRuntimeService(), clock, new Receipts.Settings(r.enabled(), r.timeout(),
                r.keepUnmatched()));
        jdbc().update("delete from " + Receipts.TABLE);
        jdbc().update("delete from " + Receipts.WAITING);
        CampaignReceipts campaignReceipts = new CampaignReceipts(jdbc());
        jdbc().update("delete from " + CampaignReceipts.TABLE);
        Mocks.register("recordReceipt", new RecordReceiptDelegate(steps, new DecisionTables(engine.getRepositoryService(),
                engine.getDecisionService()), providers, p, list, campaignReceipts, stats, clock,
                new RecordReceiptDelegate.Settings(r.timeout(), r.filteredPauseRatio(), r.filteredMinimum(), r.volumeWait())));
        SendDelegate send = new SendDelegate(steps, p, providers, sender, ledger, quotas(clock), receipts, new ResponseRules(engine.getRepositoryService(),
                engine.getDecisionService()), list, stats, clock, new SendDelegate.Settings(inFlightWait, props.retry().rateLimitBudget(),
                props.dispatch().lateSlot(), props.doubt().settleAfter()));
        Mocks.register("sendMessage", send);
        Mocks.register("settleSend", new SettleSendDelegate(steps, ledger, sentMessages, providers, p, stats, clock,
                new SettleSendDelegate.Settings(props.doubt().settleAfter(), props.doubt().lookups(), props.doubt().onDoubt())));
        Mocks.register("recordExpiry", new RecordExpiryDelegate(steps, p));
        Mocks.register("scheduleRetry", new ScheduleRetryDelegate(steps, models, clock, new SplittableRandom(5)));
        Mocks.register("messageLane", new MessageLane());
        PauseCampaign pause = new PauseCampaign(c);
        ResumeCampaign resume = new ResumeCampaign(c, providers, p);
        CancelCampaign cancel = new CancelCampaign(c, clock);
        Mocks.register("pauseCampaign", pause);
        Mocks.register("resumeCampaign", resume);
        Mocks.register("cancelCampaign", cancel);
        Mocks.register("validateCampaign", new ValidateCampaign(providers, clock, null));
        MessageFinishedListener finished = new MessageFinishedListener(stats, ledger, false);
        Mocks.register("messageFinished", finished);
        BatchedMessages batched = new BatchedMessages(jdbc());
        jdbc().update("delete from " + BatchedMessages.TABLE);
        // a batch's requests go out one by one in its own thread, and its waits for slots move the engine clock
        BatchDelivery batches = new BatchDelivery(prepare, steps, send, p, sender, ledger, batched, finished, clock, Runnable::run,
                (answers, until) -> {
                    BatchDelivery.Sent s = answers.poll();
                    if (s == null && until.isAfter(clock.instant())) {
                        ClockUtil.setCurrentTime(java.util.Date.from(until));
                    }
                    return s;
                }, new BatchDelivery.Settings(batchSend, props.dispatch().batchHorizon()));
        Mocks.register("dispatchMessages", new DispatchMessages(engine.getRuntimeService(), providers,
                new DispatchMessages.Settings(dispatchWindow, dispatchWindow, r.enabled(), Duration.ofMillis(500)), stats, batches, clock,
                requests, new ControlRequests.Steps(pause, resume, cancel)));
        Mocks.register("compileReport", new CompileReport(reports(props), new ObjectMapper().findAndRegisterModules(), report -> { }));
        return new Bound(p, providers, stats, list, c, steps, ledger, receipts);
    }

    /** The report reader on the process-test engine's history, measuring against the accounts' configured rates. */
    public static ReportReader reports(PacerProperties properties) {
        return new ReportReader(jdbc(), provider -> properties.providers().get(provider).segmentsPerMinute());
    }

    /** The accounts of {@code properties}, through the real Bandwidth and Twilio APIs. */
    public static Providers providers(PacerProperties properties, Pacer pacer, CamundaClock clock) {
        PacerProperties.Retry r = properties.retry();
        WaitBounds bounds = new WaitBounds(r.minWait(), r.maxWait());
        return new Providers(properties.providers(), List.of(new BandwidthApi(bounds, r.fallbackWait()),
                new TwilioApi(bounds, r.fallbackWait(), clock, null)), properties.simulator(), pacer, clock);
    }

    /** The pacer of the process tests: a 2 s bulk horizon, no pause jitter, no adaptation, seeded. */
    public static Pacer pacer(CamundaClock clock) {
        return new Pacer(clock, new PacerSettings(Duration.ofSeconds(2), Duration.ZERO, Adaptation.off()), new SplittableRandom(3));
    }

    private static ProcessEngine engine() {
        return ProcessEngines.getProcessEngine("process-test");
    }

    /** The process-test engine's database. */
    public static JdbcTemplate jdbc() {
        return new JdbcTemplate(((ProcessEngineConfigurationImpl) engine().getProcessEngineConfiguration()).getDataSource());
    }

    /** The message keys in the process-test engine's database, emptied. */
    public static MessageKeys keys(CamundaClock clock) {
        MessageKeys keys = new MessageKeys(jdbc(), clock, Duration.ofDays(30));
        jdbc().update("delete from " + MessageKeys.TABLE);
        return keys;
    }

    /**
     * The send ledger in the process-test engine's database, emptied. The engine has no transaction
     * manager of Spring's: each statement commits on its own, as the ledger's own transactions do.
     */
    public static SendLedger ledger() {
        SendLedger ledger = new SendLedger(jdbc(), TransactionOperations.withoutTransaction(), "test-node");
        jdbc().update("delete from " + SendLedger.TABLE);
        return ledger;
    }

    /** The campaigns' pause, resume and cancel requests in the process-test engine's database, none yet. */
    public static ControlRequests controlRequests(java.time.Clock clock) {
        ControlRequests requests = new ControlRequests(jdbc(), TransactionOperations.withoutTransaction(), clock);
        jdbc().update("delete from " + ControlRequests.TABLE);
        return requests;
    }

    /** The accounts' daily quotas in the process-test engine's database, none used yet. */
    public static DailyQuotas quotas(java.time.Clock clock) {
        DailyQuotas quotas = new DailyQuotas(jdbc(), TransactionOperations.withoutTransaction(), clock);
        jdbc().update("delete from " + DailyQuotas.TABLE);
        return quotas;
    }

    /** A suppression list in the process-test engine's database, emptied. */
    public static SuppressionList suppression(CamundaClock clock) {
        JdbcTemplate jdbc = jdbc();
        SuppressionList list = new SuppressionList(jdbc, clock);
        jdbc.update("delete from " + SuppressionList.TABLE);
        return list;
    }

    /** The variables the campaign's dispatch step gives a bulk message from +12025550100 through Bandwidth. */
    public static Map<String, Object> message(String to, String text, int segments, Instant deadline, String outcome) {
        Map<String, Object> vars = new HashMap<>();
        PROVIDER.put(vars, "bandwidth");
        FROM.put(vars, "+12025550100");
        TO.put(vars, to);
        TEXT.put(vars, text);
        SEGMENTS.put(vars, segments);
        PRIORITY.put(vars, Priority.BULK);
        DEADLINE.put(vars, deadline);
        OUTCOME.put(vars, outcome == null ? null : Outcome.valueOf(outcome));
        ATTEMPTS.put(vars, 0);
        FAILURES.put(vars, 0);
        RATE_LIMITED.put(vars, 0);
        return vars;
    }
}
