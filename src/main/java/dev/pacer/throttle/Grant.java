package dev.pacer.throttle;

import java.time.Instant;

/**
 * The pacer's answer to "when may this message be sent?". A reserved grant holds a send slot at
 * {@code at}; an unreserved one only says when to ask again, so that a real-time message arriving
 * meanwhile can take a slot ahead of it.
 *
 * @param generation the scope's generation the slot belongs to; a pause invalidates older slots
 */
public record Grant(boolean reserved, Instant at, long generation) {
}
