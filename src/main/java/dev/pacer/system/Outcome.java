package dev.pacer.system;

/** What each message ends as; {@code PENDING} until then. */
public enum Outcome {
    PENDING, ACCEPTED, DELIVERED, FAILED, REJECTED, DROPPED, EXPIRED, INVALID, SUPPRESSED, CANCELLED
}
