package dev.pacer.system;

import dev.pacer.provider.MessageSender;
import dev.pacer.throttle.Pacer;
import org.camunda.bpm.engine.test.mock.Mocks;

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
        Mocks.register("throttle", new ThrottleDelegate(pacer, providers, stats, clock));
        Mocks.register("sendMessage", new SendDelegate(pacer, providers, sender, stats, clock, Duration.ZERO, retry.rateLimitBudget()));
        Mocks.register("scheduleRetry", new ScheduleRetryDelegate(retry, stats, clock, new SplittableRandom(5)));
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
