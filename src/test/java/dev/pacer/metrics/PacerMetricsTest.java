package dev.pacer.metrics;

import dev.pacer.provider.Providers;

import dev.pacer.testkit.ScriptedSender;

import dev.pacer.flow.Processes;
import dev.pacer.testkit.PacerEngine;

import dev.pacer.flow.Outcome;
import dev.pacer.system.CamundaClock;
import dev.pacer.testkit.DeliveryFixture;
import dev.pacer.testkit.JobDriver;

import dev.pacer.provider.SendResult;
import dev.pacer.throttle.Pacer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The live metrics count what the engine's tables and the pacer hold: outcomes, 429s, waiting messages, scope pace. */
@Deployment(resources = {"delivery.bpmn", "response-rules.dmn"})
class PacerMetricsTest {

    @RegisterExtension
    static PacerEngine engine = new PacerEngine();


    @Test
    void shouldCountOutcomes429sAndMessagesWaitingByReason() {
        engine.clockAt(Instant.parse("2030-01-01T09:00:00Z"));
        CamundaClock clock = new CamundaClock();
        ScriptedSender sender = ScriptedSender.strict();
        DeliveryFixture.Bound bound = DeliveryFixture.on(clock).sender(sender).register();
        Pacer pacer = bound.pacer();
        Providers providers = bound.providers();
        DeliveryStats stats = bound.stats();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PacerMetrics metrics = new PacerMetrics(registry, stats, pacer, DeliveryFixture.jdbc(), clock, Duration.ZERO, false);

        // the first is sent at once and accepted, the second gets a 429, the next two wait for their slots
        sender.script.add(SendResult.accepted(202, "a", 1));
        sender.script.add(SendResult.rateLimited(429, Duration.ofSeconds(30), null, "queue full"));
        for (int i = 0; i < 4; i++) {
            engine.getRuntimeService().startProcessInstanceByKey("delivery", "m/" + i,
                    DeliveryFixture.message("+1202555010" + i, "hello", 1, null, "PENDING"));
        }
        JobDriver jobs = engine.jobs(Processes.DELIVERY);
        jobs.runDue();
        jobs.runUntil(clock.instant().plusSeconds(1), 100);

        PacerMetrics.Snapshot s = metrics.read();
        assertThat(s.outcome(Outcome.ACCEPTED)).isEqualTo(1);
        assertThat(s.rateLimited()).isEqualTo(1);
        assertThat(s.attempts()).isEqualTo(2);
        assertThat(s.waiting("retry_after")).as("the 429'd message").isEqualTo(1);
        assertThat(s.waiting("throttle")).as("the two behind it, waiting for their slots").isEqualTo(2);
        assertThat(s.waiting("backoff")).isZero();
        assertThat(s.waiting("paused")).isZero();
        String scope = providers.account("bandwidth").scope();
        assertThat(registry.get("pacer.scope.limit.segments.per.minute").tag("scope", scope).gauge().value()).isEqualTo(60.0);
        assertThat(registry.get("pacer.scope.ceiling.segments.per.minute").tag("scope", scope).gauge().value())
                .isEqualTo(pacer.view(scope).ceiling());
        assertThat(registry.get("pacer.scope.pace.segments.per.minute").tag("scope", scope).gauge().value())
                .isEqualTo(pacer.view(scope).rate());
        assertThat(registry.get("pacer.messages").tag("outcome", "accepted").functionCounter().count()).isEqualTo(1.0);
        assertThat(s.waiting("incident")).isZero();

        // a scope the pacer meets later (a campaign's cap) gets its gauges when the next scrape reads them
        providers.scopes("bandwidth", "+12025550100", dev.pacer.throttle.ScopeLimit.of("campaign:late", 30, Integer.MAX_VALUE));
        assertThat(registry.find("pacer.scope.pace.segments.per.minute").tag("scope", "campaign:late").gauge()).isNull();
        registry.get("pacer.messages.waiting").tag("reason", "throttle").gauge().value();
        assertThat(registry.get("pacer.scope.limit.segments.per.minute").tag("scope", "campaign:late").gauge().value()).isEqualTo(30.0);
        assertThat(registry.find("pacer.messages").tag("outcome", "delivered").functionCounter())
                .as("receipts are off: no message can end delivered, so no such counter").isNull();
        assertThat(registry.find("pacer.receipts").functionCounters()).isEmpty();

        // a campaign's cap is labelled with the campaign's name
        String campaign = engine.getRuntimeService().startProcessInstanceByKey("delivery", "spring-sale",
                DeliveryFixture.message("+12025550199", "hello", 1, null, "PENDING")).getId();
        providers.scopes("bandwidth", "+12025550100", dev.pacer.throttle.ScopeLimit.of("campaign:" + campaign, 30, Integer.MAX_VALUE));
        registry.get("pacer.messages.waiting").tag("reason", "throttle").gauge().value();
        assertThat(registry.get("pacer.scope.limit.segments.per.minute").tag("campaign", "spring-sale").gauge().value()).isEqualTo(30.0);
    }

    @Test
    void shouldExportTheReceiptsCountersWhenReceiptsAreOn() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new PacerMetrics(registry, new DeliveryStats(), new dev.pacer.throttle.Pacer(java.time.Clock.systemUTC(), new dev.pacer.throttle.PacerSettings(Duration.ofSeconds(2), Duration.ZERO, dev.pacer.throttle.Adaptation.off()),
                new java.util.SplittableRandom(1)), DeliveryFixture.jdbc(), java.time.Clock.systemUTC(), Duration.ZERO, true);
        assertThat(registry.get("pacer.messages").tag("outcome", "delivered").functionCounter().count()).isZero();
        assertThat(registry.get("pacer.receipts").tag("class", "daily_cap").functionCounter().count()).isZero();
    }
}
