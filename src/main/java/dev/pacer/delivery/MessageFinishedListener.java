package dev.pacer.delivery;

import dev.pacer.flow.Outcome;
import dev.pacer.metrics.DeliveryStats;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;

import static dev.pacer.flow.MessageVariables.OUTCOME;

/** Counts each message's outcome as it ends, for the live metrics and the progress display. */
public class MessageFinishedListener implements ExecutionListener {

    private final DeliveryStats stats;

    public MessageFinishedListener(DeliveryStats stats) {
        this.stats = stats;
    }

    @Override
    public void notify(DelegateExecution execution) {
        stats.finished(OUTCOME.get(execution, Outcome.PENDING));
    }
}
