package dev.pacer.system;

import dev.pacer.provider.MessageSender;
import dev.pacer.throttle.Pacer;
import org.camunda.bpm.engine.ProcessEngines;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.test.mock.Mocks;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** What the delivery flow's process tests share: its delegates bound by name, and a message's variables. */
final class DeliveryFixture {

    private DeliveryFixture() {
    }

    /** Binds the flow's delegates ({@code ${throttle}}, {@code ${sendMessage}}...) for the process-test engine. */
    static void registerDelegates(Pacer pacer, Providers providers, MessageSender sender, DeliveryStats stats, CamundaClock clock,
                                  PacerProperties.Retry retry) {
        registerDelegates(pacer, providers, sender, stats, clock, retry, suppression(clock));
    }

    /** The pacer of the process tests: a 2 s bulk horizon, no pause jitter, no adaptation, seeded. */
    static Pacer pacer(CamundaClock clock) {
        return new Pacer(clock, new Pacer.Settings(Duration.ofSeconds(2), Duration.ZERO, Pacer.Adaptation.off()), new SplittableRandom(3));
    }

    /** The process-test engine's database. */
    static JdbcTemplate jdbc() {
        return new JdbcTemplate(((ProcessEngineConfigurationImpl) ProcessEngines.getProcessEngine("process-test")
                .getProcessEngineConfiguration()).getDataSource());
    }

    /** A suppression list in the process-test engine's database, emptied. */
    static SuppressionList suppression(CamundaClock clock) {
        JdbcTemplate jdbc = jdbc();
        SuppressionList list = new SuppressionList(jdbc, clock);
        jdbc.update("delete from " + SuppressionList.TABLE);
        return list;
    }

    static void registerDelegates(Pacer pacer, Providers providers, MessageSender sender, DeliveryStats stats, CamundaClock clock,
                                  PacerProperties.Retry retry, SuppressionList suppression) {
        registerDelegates(pacer, providers, sender, stats, clock, retry, suppression, new CampaignControl(clock, Duration.ofSeconds(1)));
    }

    static void registerDelegates(Pacer pacer, Providers providers, MessageSender sender, DeliveryStats stats, CamundaClock clock,
                                  PacerProperties.Retry retry, SuppressionList suppression, CampaignControl control) {
        Mocks.register("prepareMessage", new PrepareDelegate(providers, suppression, clock, Duration.ofDays(30)));
        Mocks.register("throttle", new ThrottleDelegate(pacer, providers, clock, control));
        Mocks.register("sendMessage", new SendDelegate(pacer, providers, sender, stats, clock, Duration.ZERO, retry.rateLimitBudget(),
                control, suppression));
        Mocks.register("recordExpiry", new RecordExpiryDelegate(pacer, providers));
        Mocks.register("pauseCampaign", new CampaignDelegates.Pause(control));
        Mocks.register("resumeCampaign", new CampaignDelegates.Resume(control, providers, pacer));
        Mocks.register("cancelCampaign", new CampaignDelegates.Cancel(control, clock));
        Mocks.register("scheduleRetry", new ScheduleRetryDelegate(retry, clock, new SplittableRandom(5)));
        Mocks.register("messageFinished", new CampaignDelegates.MessageFinished(stats));
    }

    /** The variables the campaign's dispatch step gives a bulk message from +12025550100 through Bandwidth. */
    static Map<String, Object> message(String to, String text, int segments, Instant deadline, String outcome) {
        Map<String, Object> vars = new HashMap<>();
        vars.put("provider", "bandwidth");
        vars.put("from", "+12025550100");
        vars.put("to", to);
        vars.put("text", text);
        vars.put("segments", segments);
        vars.put("priority", "BULK");
        vars.put("deadline", deadline == null ? null : Date.from(deadline));
        vars.put("outcome", outcome);
        vars.put("attempts", 0);
        vars.put("failures", 0);
        vars.put("rateLimited", 0);
        return vars;
    }
}
