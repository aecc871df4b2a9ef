package dev.pacer.delivery;

import dev.pacer.flow.AfterCommit;

import java.util.EnumSet;
import java.util.Set;

import dev.pacer.flow.Doubt;
import dev.pacer.flow.Outcome;
import dev.pacer.metrics.DeliveryStats;
import dev.pacer.throttle.Priority;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.delegate.VariableScope;

import static dev.pacer.flow.MessageVariables.REASON;
import static dev.pacer.flow.MessageVariables.CAMPAIGN_ID;
import static dev.pacer.flow.MessageVariables.ATTEMPTS;
import static dev.pacer.flow.MessageVariables.DOUBT;
import static dev.pacer.flow.MessageVariables.OUTCOME;
import static dev.pacer.flow.MessageVariables.SEND_KEY;
import static dev.pacer.flow.MessageVariables.PRIORITY;
import static dev.pacer.flow.MessageVariables.TEXT;

/**
 * As each message ends: counts its outcome for the live metrics and the progress display, flags a
 * send still in doubt ({@code doubt} {@code UNSETTLED}) and forgets its sends in the ledger, and
 * unless told to keep it, replaces a real-time message's text (a one-time code, an alert) by a
 * redacted form, so that the history keeps its length but not its words.
 */
public class MessageFinishedListener implements ExecutionListener {

    /** The outcomes of a message that did not reach the provider, which listeners hear of. */
    private static final Set<Outcome> FAILURES_TOLD = EnumSet.of(Outcome.REJECTED, Outcome.DROPPED, Outcome.EXPIRED, Outcome.FAILED,
            Outcome.IN_DOUBT);

    private final DeliveryStats stats;
    private final SendLedger ledger;
    private final boolean keepRealtimeText;

    /** @param keepRealtimeText keep real-time messages' texts in the history ({@code pacer.history.keep-realtime-text}) */
    public MessageFinishedListener(DeliveryStats stats, SendLedger ledger, boolean keepRealtimeText) {
        this.stats = stats;
        this.ledger = ledger;
        this.keepRealtimeText = keepRealtimeText;
    }

    @Override
    public void notify(DelegateExecution execution) {
        Outcome outcome = tell(execution, execution.getProcessBusinessKey());
        if (unsettled(execution, outcome)) {
            // it ended (its deadline passed, its campaign was cancelled) with a send that may have reached the provider
            DOUBT.set(execution, Doubt.UNSETTLED);
            stats.settled(Doubt.UNSETTLED);
        }
        ledger.forget(SendLedger.messageOf(execution));
        String text = TEXT.get(execution);
        if (!keepRealtimeText && text != null && PRIORITY.get(execution, Priority.BULK) == Priority.REALTIME) {
            TEXT.set(execution, redacted(text));
        }
    }

    /**
     * Counts the outcome of a message that ends (an instance, or one a campaign's batch ended) and,
     * once its transaction commits, tells the listeners of one that did not reach the provider.
     */
    public Outcome tell(VariableScope vars, String key) {
        Outcome outcome = OUTCOME.get(vars, Outcome.PENDING);
        stats.finished(outcome);
        if (FAILURES_TOLD.contains(outcome)) {
            String campaignId = CAMPAIGN_ID.get(vars);
            String reason = REASON.get(vars);
            AfterCommit.run(() -> stats.messageFailed(campaignId, key, outcome, reason));
        }
        return outcome;
    }

    /**
     * Whether the message ends with a send in doubt: one waiting to be settled, or one whose job
     * never committed and was not run again before the message ended.
     */
    private boolean unsettled(DelegateExecution execution, Outcome outcome) {
        if (SEND_KEY.get(execution) != null) {
            return true;
        }
        return outcome != Outcome.ACCEPTED && outcome != Outcome.IN_DOUBT && ATTEMPTS.get(execution) != null
                && ledger.find(SendLedger.key(SendLedger.messageOf(execution), ATTEMPTS.get(execution) + 1)).isPresent();
    }

    /** What the history keeps of a real-time message's text. */
    public static String redacted(String text) {
        return "[redacted: " + text.length() + " characters]";
    }
}
