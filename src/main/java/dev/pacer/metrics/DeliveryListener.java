package dev.pacer.metrics;

import dev.pacer.flow.Outcome;

import java.time.Instant;

/** What else wants to hear of deliveries as they happen, beside the live counters (the downstream webhook). */
public interface DeliveryListener {

    /** A message ended without reaching the provider: rejected, dropped, expired or failed. */
    default void messageFailed(String campaignId, String key, Outcome outcome, String reason) {
    }

    /** A recipient replied something that is no keyword (not STOP, START or HELP). */
    default void replied(String account, String from, String to, String text) {
    }

    /** A scope was paused until {@code until}: a 429, or a quota spent. */
    default void scopePaused(String scope, Instant until, String reason) {
    }
}
