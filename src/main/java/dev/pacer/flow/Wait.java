package dev.pacer.flow;

import java.util.Arrays;
import java.util.Optional;

/**
 * The waits of {@code bpmn/delivery.bpmn}: the activity a message waits in, and the names the
 * report, the trail and the live metrics give it.
 */
public enum Wait {
    PACE("Timer_WaitSlot", "pace", "for a send slot", "throttle"),
    RETRY_AFTER("Timer_RetryAfter", "retryAfter", "Retry-After", "retry_after"),
    BACKOFF("Timer_Backoff", "backoff", "back-off", "backoff"),
    SEND_WINDOW("Timer_SendWindow", "sendWindow", "for the send window", "send_window"),
    /** A send whose answer was lost, waiting to ask the provider whether it has the message. */
    SETTLE("Timer_Settle", "settle", "to ask the provider about a send in doubt", "in_doubt"),
    /** A message catch event, not a timer: no job holds the message while it waits. */
    PAUSED("Event_Resumed", "paused", "for the campaign to resume", "paused");

    private final String activityId;
    private final String reportName;
    private final String trailName;
    private final String metricReason;

    Wait(String activityId, String reportName, String trailName, String metricReason) {
        this.activityId = activityId;
        this.reportName = reportName;
        this.trailName = trailName;
        this.metricReason = metricReason;
    }

    /** Whether the message waits on a timer (every wait but a paused campaign's). */
    public boolean isTimer() {
        return this != PAUSED;
    }

    public String activityId() {
        return activityId;
    }

    /** The key in the report's {@code waits}. */
    public String reportName() {
        return reportName;
    }

    /** How the trail says what the message waited for. */
    public String trailName() {
        return trailName;
    }

    /** The {@code reason} tag of {@code pacer_messages_waiting}. */
    public String metricReason() {
        return metricReason;
    }

    public static Optional<Wait> ofActivity(String activityId) {
        return Arrays.stream(values()).filter(w -> w.activityId.equals(activityId)).findFirst();
    }
}
