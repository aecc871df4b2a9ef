package dev.pacer.flow;

/** What each message ends as ({@code outcome}); {@code PENDING} until then. The delivery flow's end events are named after them. */
public enum Outcome {
    PENDING, ACCEPTED, DELIVERED, FAILED, REJECTED, DROPPED, EXPIRED, INVALID, SUPPRESSED, CANCELLED,
    /** Its send's answer was lost, the provider could not tell whether it has it, and the policy {@code skip} sent nothing more. */
    IN_DOUBT;

    /** Whether a message with this outcome (by its name) was taken by the provider: accepted, then delivered or failed at the carrier. */
    public static boolean tookIt(String outcome) {
        return ACCEPTED.name().equals(outcome) || DELIVERED.name().equals(outcome) || FAILED.name().equals(outcome);
    }
}
