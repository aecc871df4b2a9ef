package dev.pacer.flow;

import java.util.Set;

/**
 * The activity ids of {@code bpmn/} that Java looks for in the history tables or the runtime; the
 * waits are in {@link Wait}. A model edited in Modeler must keep them.
 */
public final class Activities {

    // delivery.bpmn
    public static final String THROTTLE = "Task_Throttle";
    public static final String SEND = "Task_Send";
    public static final String DEADLINE = "Boundary_Deadline";
    /**
     * Where a message a campaign's batch could not finish goes on as an instance of its own: back to
     * pacing (from {@link Wait#PACE}'s timer, due at once), waiting out a 429, the retry policy after
     * a transient failure, asking the provider about a send in doubt, or (taken, with receipts on)
     * waiting for its receipt.
     */
    public static final String RETRY_AFTER = "Timer_RetryAfter";
    public static final String CHOOSE_POLICY = "Task_ChoosePolicy";
    public static final String SCHEDULE_RETRY = "Task_ScheduleRetry";
    public static final String JOIN_SETTLE = "Gateway_JoinSettle";
    public static final String JOIN_OUTCOME = "Gateway_JoinOutcome";
    /** End events inside the delivery that are steps, not a message's outcome. */
    public static final Set<String> INNER_ENDS = Set.of("End_Sent", "End_NoSlot", "End_NoRetry", "End_Settled");
    /** The outcome end events: {@code End_Accepted}, {@code End_Rejected}... */
    public static final String OUTCOME_END_PREFIX = "End_";

    // campaign.bpmn
    public static final String NEXT_BATCH = "Timer_NextBatch";
    public static final String PAUSE = "Task_Pause";
    public static final String RESUME = "Task_Resume";
    public static final String CANCEL = "Task_Cancel";

    private Activities() {
    }

    /** Whether a delivery activity is the end event of a message's outcome. */
    public static boolean isOutcomeEnd(String activityId) {
        return activityId.startsWith(OUTCOME_END_PREFIX) && !INNER_ENDS.contains(activityId);
    }
}
