package dev.pacer.throttle;

/** What a {@link Pacer} tells the other nodes of its cluster. */
public interface PacerListener {

    /** A 429 this pacer took from one of its own sends. */
    default void rateLimited(RateLimit r) {
    }

    /** A message left its place in another node's bulk queue here. */
    default void leftQueue(QueueLeft left) {
    }
}
