package dev.pacer.delivery;

import dev.pacer.flow.Processes;
import dev.pacer.provider.MessageSender;
import dev.pacer.provider.OutgoingMessage;
import dev.pacer.provider.SendResult;
import dev.pacer.system.CamundaClock;
import dev.pacer.testkit.DeliveryFixture;
import dev.pacer.testkit.PacerEngine;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A provider that refuses every connection for two minutes: its messages wait for it instead of
 * spending their attempts, one probe at a time goes to it meanwhile, and every message is accepted
 * once it is back.
 */
@Deployment(resources = {"delivery.bpmn", "response-rules.dmn"})
class OutageProcessTest {

    @RegisterExtension
    static PacerEngine engine = new PacerEngine();

    private static final Instant T0 = Instant.parse("2030-01-01T09:00:00Z");
    private static final Duration OUTAGE = Duration.ofMinutes(2);

    /** Refuses connections until the outage is over, then takes everything. */
    static final class DownForAWhile implements MessageSender {
        final List<Instant> refused = new ArrayList<>();
        int accepted;

        @Override
        public synchronized SendResult send(OutgoingMessage message) {
            Instant now = ClockUtil.now().toInstant();
            if (now.isBefore(T0.plus(OUTAGE))) {
                refused.add(now);
                return SendResult.failed(0, "HttpHostConnectException", "Connect to 127.0.0.1 failed: Connection refused");
            }
            accepted++;
            return SendResult.accepted(202, "id-" + accepted, 1);
        }
    }

    @Test
    void shouldKeepEveryMessageWaitingThroughAnOutageAndSendItAfter() {
        engine.clockAt(T0);
        DownForAWhile provider = new DownForAWhile();
        DeliveryFixture.on(new CamundaClock()).sender(provider).register();
        List<ProcessInstance> messages = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            messages.add(engine.getRuntimeService().startProcessInstanceByKey(Processes.DELIVERY, "c1/" + i,
                    DeliveryFixture.message("+1202555010" + i, "hello", 1, null, "PENDING")));
        }
        engine.jobs(Processes.DELIVERY).runAll(2000);

        assertThat(messages).allSatisfy(pi -> assertThat(engine.variable(pi, "outcome")).as(pi.getBusinessKey()).isEqualTo("ACCEPTED"));
        assertThat(provider.accepted).isEqualTo(10);
        // the threshold's worth of sends, then one probe at a time at 2, 4, 8, 16, 32, 60 s...
        assertThat(provider.refused).as("requests while the provider was down").hasSizeLessThanOrEqualTo(5 + 8);
        for (int i = 5; i + 1 < provider.refused.size(); i++) {
            assertThat(Duration.between(provider.refused.get(i), provider.refused.get(i + 1))).as("probes one at a time, spaced")
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        }
        assertThat(messages).allSatisfy(pi -> assertThat((Integer) engine.variable(pi, "failures"))
                .as("no attempt spent waiting for the provider beyond the first failures").isLessThanOrEqualTo(1));
    }
}
