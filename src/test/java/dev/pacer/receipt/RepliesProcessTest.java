package dev.pacer.receipt;

import dev.pacer.provider.ProviderEvent;
import dev.pacer.system.CamundaClock;
import dev.pacer.testkit.DeliveryFixture;
import dev.pacer.testkit.PacerEngine;
import dev.pacer.testkit.ScriptedSender;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Replies: STOP suppresses the number at once (a message to it still waiting is not sent), START lifts it, HELP is answered once. */
@Deployment(resources = {"delivery.bpmn", "response-rules.dmn"})
class RepliesProcessTest {

    @RegisterExtension
    static PacerEngine engine = new PacerEngine();

    private static final Instant T0 = Instant.parse("2030-01-01T09:00:00Z");

    private static ProviderEvent.Reply reply(String id, String text) {
        return new ProviderEvent.Reply(id, "+12025550101", "+12025550100", text, T0);
    }

    @Test
    void shouldSuppressANumberThatRepliedStopSoThatItsWaitingMessageIsNotSent() {
        engine.clockAt(T0);
        ScriptedSender sender = ScriptedSender.accepting();
        DeliveryFixture.Bound bound = DeliveryFixture.on(new CamundaClock()).sender(sender).register();
        Replies replies = new Replies(bound.suppression(), engine.getRuntimeService(), bound.stats(), "Reply STOP to opt out.");
        // another message takes the account's slot (60 a minute): this one waits a second for its own
        engine.drive(engine.startMessage(DeliveryFixture.message("+12025550109", "hello", 1, null, "PENDING")));
        ProcessInstance pi = engine.startMessage(DeliveryFixture.message("+12025550101", "hello", 1, null, "PENDING"));
        engine.execute(engine.next(pi));
        assertThat(engine.next(pi).getDuedate()).as("waiting for its slot").isAfter(ClockUtil.getCurrentTime());

        assertThat(replies.take(bound.providers().account("bandwidth"), reply("r-1", " stop "))).isEqualTo(Replies.Kind.OPT_OUT);
        engine.drive(pi);

        assertThat(engine.variable(pi, "outcome")).isEqualTo("SUPPRESSED");
        assertThat(sender.sent).as("only the other message went").hasSize(1);
        assertThat(bound.suppression().changes("+12025550101")).singleElement().satisfies(c -> {
            assertThat(c.action()).isEqualTo("add");
            assertThat(c.reason()).isEqualTo("replied STOP to +12025550100");
            assertThat(c.by()).isEqualTo("bandwidth");
        });
        assertThat(replies.take(bound.providers().account("bandwidth"), reply("r-2", "START"))).isEqualTo(Replies.Kind.OPT_IN);
        assertThat(bound.suppression().contains("+12025550101")).isFalse();
        assertThat(bound.suppression().changes("+12025550101")).extracting(c -> c.action()).containsExactly("add", "remove");
        assertThat(replies.take(bound.providers().account("bandwidth"), reply("r-3", "Stop sending me these please")))
                .as("a keyword counts only as the whole reply").isEqualTo(Replies.Kind.OTHER);
        assertThat(bound.suppression().contains("+12025550101")).isFalse();
    }

    @Test
    void shouldAnswerHelpOnceThroughTheRealTimeLane() {
        engine.clockAt(T0);
        ScriptedSender sender = ScriptedSender.accepting();
        DeliveryFixture.Bound bound = DeliveryFixture.on(new CamundaClock()).sender(sender).register();
        Replies replies = new Replies(bound.suppression(), engine.getRuntimeService(), bound.stats(), "Reply STOP to opt out.");

        assertThat(replies.take(bound.providers().account("bandwidth"), reply("r-9", "help"))).isEqualTo(Replies.Kind.HELP);
        replies.take(bound.providers().account("bandwidth"), reply("r-9", "help"));
        engine.jobs(null).runAll(50);

        assertThat(sender.sent).as("answered once, however often the reply is posted").hasSize(1);
        assertThat(sender.sent.get(0).message().to()).isEqualTo("+12025550101");
        assertThat(sender.sent.get(0).message().from()).isEqualTo("+12025550100");
        assertThat(sender.sent.get(0).message().text()).isEqualTo("Reply STOP to opt out.");
    }
}
