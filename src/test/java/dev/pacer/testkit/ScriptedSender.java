package dev.pacer.testkit;

import dev.pacer.provider.MessageSender;
import dev.pacer.provider.OutgoingMessage;
import dev.pacer.provider.SendResult;
import org.camunda.bpm.engine.impl.util.ClockUtil;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A provider for process tests: answers from a script and notes when each request came, on the
 * engine clock. With the script spent it accepts every message ({@link #accepting()}) or fails the
 * test ({@link #strict()}).
 */
public final class ScriptedSender implements MessageSender {

    /** One request as the provider got it. */
    public record Sent(OutgoingMessage message, Instant at) {
    }

    /** The answers still to give, in order. */
    public final Deque<SendResult> script = new ArrayDeque<>();
    /** Every request so far. */
    public final List<Sent> sent = new ArrayList<>();
    private final boolean acceptRest;

    private ScriptedSender(boolean acceptRest) {
        this.acceptRest = acceptRest;
    }

    /** Every request must have its answer in the script. */
    public static ScriptedSender strict() {
        return new ScriptedSender(false);
    }

    /** The script's answers first, then 202 for every message. */
    public static ScriptedSender accepting() {
        return new ScriptedSender(true);
    }

    @Override
    public synchronized SendResult send(OutgoingMessage message) {
        sent.add(new Sent(message, ClockUtil.now().toInstant()));
        SendResult next = script.poll();
        if (next != null) {
            return next;
        }
        if (!acceptRest) {
            throw new AssertionError("unexpected send " + message.key());
        }
        return SendResult.accepted(202, "id-" + sent.size(), message.segments());
    }
}
