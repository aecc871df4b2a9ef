package dev.pacer.system;

/** What each message ends as; {@code PENDING} until then. */
public enum Outcome {
    PENDING, ACCEPTED, DELIVERED, FAILED, REJECTED, DROPPED, EXPIRED, INVALID, SUPPRESSED, CANCELLED;

    /** The classes the response rules sort a provider's answer into. */
    public enum Response { ACCEPTED, RATE_LIMITED, TRANSIENT, PERMANENT }
}
