package dev.pacer.throttle;

/**
 * A scope's slots as the nodes of a cluster share them: one timeline, of which each node claims
 * windows before it grants slots in them. The windows of two nodes never overlap, and a node paces
 * its slots inside its windows, so the nodes together never send faster than one node would, and a
 * node with nothing to send claims nothing: the other takes the whole rate.
 */
@FunctionalInterface
public interface Timeline {

    /**
     * Claims the first free window of {@code scope}'s timeline that starts no earlier than
     * {@code from} and lasts {@code length}, in epoch nanoseconds.
     *
     * @return the window's start
     */
    long claim(String scope, long from, long length);
}
