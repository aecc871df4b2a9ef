package dev.pacer.provider;

import dev.pacer.throttle.Priority;

import java.time.Instant;

/** One message as a provider route needs it; holds no credentials. */
public record OutgoingMessage(String key, String provider, String from, String to, String text, int segments,
                              Priority priority, Instant deadline) {
}
