package dev.pacer.receipt;

import dev.pacer.flow.Processes;
import dev.pacer.provider.ProviderAccount;
import dev.pacer.provider.ProviderEvent;
import dev.pacer.suppression.SuppressionList;
import dev.pacer.throttle.Priority;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.RuntimeService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

import static dev.pacer.flow.MessageVariables.FROM;
import static dev.pacer.flow.MessageVariables.PRIORITY;
import static dev.pacer.flow.MessageVariables.PROVIDER;
import static dev.pacer.flow.MessageVariables.TEXT;
import static dev.pacer.flow.MessageVariables.TO;

/**
 * Replies from recipients. The carriers' opt-out keywords (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END,
 * QUIT) put the number on the suppression list at once, so a message to it still waiting is not
 * sent; START and UNSTOP take it off; HELP and INFO are answered with {@code pacer.receipts.help-text}
 * through the real-time lane, from the number the reply went to. A keyword counts when it is the
 * whole reply, in any case. Other replies are counted and logged (their length, not their words),
 * and told to the downstream webhook, when there is one.
 */
public class Replies {

    private static final Logger log = LoggerFactory.getLogger(Replies.class);
    static final Set<String> OPT_OUT = Set.of("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT");
    static final Set<String> OPT_IN = Set.of("START", "UNSTOP");
    static final Set<String> HELP = Set.of("HELP", "INFO");

    /** What a reply was taken as. */
    public enum Kind { OPT_OUT, OPT_IN, HELP, OTHER }

    private final SuppressionList suppression;
    private final RuntimeService runtime;
    private final dev.pacer.metrics.DeliveryStats stats;
    private final String helpText;
    private final LongAdder other = new LongAdder();

    /**
     * @param stats    told of the replies that are no keyword (for the downstream webhook)
     * @param helpText what a HELP reply is answered with
     */
    public Replies(SuppressionList suppression, RuntimeService runtime, dev.pacer.metrics.DeliveryStats stats, String helpText) {
        this.suppression = suppression;
        this.runtime = runtime;
        this.stats = stats;
        this.helpText = helpText;
    }

    public Kind take(ProviderAccount account, ProviderEvent.Reply reply) {
        String word = reply.text() == null ? "" : reply.text().trim().toUpperCase(Locale.ROOT);
        String from = reply.from();
        if (OPT_OUT.contains(word)) {
            boolean added = suppression.add(from, "replied " + word + " to " + reply.to(), account.name());
            log.info("{} replied {} to {}: {}", from, word, reply.to(), added ? "suppressed" : "suppressed already");
            return Kind.OPT_OUT;
        }
        if (OPT_IN.contains(word)) {
            boolean removed = suppression.remove(from, "replied " + word + " to " + reply.to(), account.name());
            log.info("{} replied {} to {}: {}", from, word, reply.to(), removed ? "no longer suppressed" : "was not suppressed");
            return Kind.OPT_IN;
        }
        if (HELP.contains(word)) {
            answerHelp(account, reply);
            return Kind.HELP;
        }
        other.increment();
        log.info("reply from {} to {} through {} ({} characters)", from, reply.to(), account.name(), word.length());
        stats.replied(account.name(), from, reply.to(), reply.text());
        return Kind.OTHER;
    }

    /** The help text, sent once per reply (its provider id is the message's key: a reply posted twice is answered once). */
    private void answerHelp(ProviderAccount account, ProviderEvent.Reply reply) {
        Map<String, Object> vars = new HashMap<>();
        PROVIDER.put(vars, account.name());
        FROM.put(vars, reply.to());
        TO.put(vars, reply.from());
        TEXT.put(vars, helpText);
        PRIORITY.put(vars, Priority.REALTIME);
        String key = "help-" + account.name() + "-" + (reply.providerMessageId() == null ? reply.from() + "-" + reply.at() : reply.providerMessageId());
        try {
            runtime.startProcessInstanceByKey(Processes.DELIVERY, key, vars);
            log.info("{} asked for HELP: answered from {}", reply.from(), reply.to());
        } catch (ProcessEngineException e) {
            // the same reply posted again (its key is taken), or the answer could not start: nothing more is sent
            log.info("HELP from {} not answered again: {}", reply.from(), e.getMessage());
        }
    }

    /** Replies that were no keyword. */
    public long others() {
        return other.sum();
    }
}
