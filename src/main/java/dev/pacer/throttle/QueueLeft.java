package dev.pacer.throttle;

/**
 * A message left its place in the bulk queue of scope {@code scope} of the node tagged {@code owner}
 * (its timer fired on another node of the cluster).
 *
 * @param permits the place's size, in the scope's permits
 */
public record QueueLeft(long owner, String scope, int permits) {
}
