package dev.pacer.throttle;

import java.time.Instant;

/**
 * The pacer's answer to "when may this message be sent?". A reserved grant holds a send slot at
 * {@code at} in every scope of the send; an unreserved one only says when to ask again, so that a
 * real-time message arriving meanwhile can take a slot ahead of it.
 *
 * @param generation the sum of the send's scope generations when it was granted; a pause or a
 *                   re-plan of any of them voids the slot
 * @param ticket     for an unreserved grant, the message's place in the bulk queue (to pass back
 *                   when it asks again); -1 for a reserved one
 */
public record Grant(boolean reserved, Instant at, long generation, long ticket) {
}
