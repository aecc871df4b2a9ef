package dev.pacer.delivery;

import dev.pacer.flow.Outcome;
import dev.pacer.metrics.DeliveryStats;
import dev.pacer.throttle.Priority;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;

import static dev.pacer.flow.MessageVariables.OUTCOME;
import static dev.pacer.flow.MessageVariables.PRIORITY;
import static dev.pacer.flow.MessageVariables.TEXT;

/**
 * As each message ends: counts its outcome for the live metrics and the progress display, and
 * unless told to keep it, replaces a real-time message's text (a one-time code, an alert) by a
 * redacted form, so that the history keeps its length but not its words.
 */
public class MessageFinishedListener implements ExecutionListener {

    private final DeliveryStats stats;
    private final boolean keepRealtimeText;

    /** @param keepRealtimeText keep real-time messages' texts in the history ({@code pacer.history.keep-realtime-text}) */
    public MessageFinishedListener(DeliveryStats stats, boolean keepRealtimeText) {
        this.stats = stats;
        this.keepRealtimeText = keepRealtimeText;
    }

    @Override
    public void notify(DelegateExecution execution) {
        stats.finished(OUTCOME.get(execution, Outcome.PENDING));
        String text = TEXT.get(execution);
        if (!keepRealtimeText && text != null && PRIORITY.get(execution, Priority.BULK) == Priority.REALTIME) {
            TEXT.set(execution, redacted(text));
        }
    }

    /** What the history keeps of a real-time message's text. */
    public static String redacted(String text) {
        return "[redacted: " + text.length() + " characters]";
    }
}
