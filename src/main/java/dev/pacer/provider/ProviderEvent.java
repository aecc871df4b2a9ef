package dev.pacer.provider;

import java.time.Instant;

/** What a provider's callback tells: a receipt for a message it took, or a reply from a recipient. */
public sealed interface ProviderEvent {

    /**
     * A message's final state at the carrier: delivered to the phone, or failed with the provider's
     * code (Bandwidth 4780, Twilio 30007...).
     *
     * @param providerMessageId the provider's id of the message, as its send's answer named it
     * @param tag               what the send tagged it with (Bandwidth's {@code tag}: the message's key), or null
     */
    record Receipt(String providerMessageId, String tag, String to, boolean delivered, String errorCode, String description,
                   Instant at) implements ProviderEvent {
    }

    /** A message from a recipient ({@code from}) to one of the sender's numbers ({@code to}). */
    record Reply(String providerMessageId, String from, String to, String text, Instant at) implements ProviderEvent {
        @Override
        public String toString() {
            return "Reply[" + providerMessageId + " from " + from + " to " + to + ", " + (text == null ? 0 : text.length()) + " characters]";
        }
    }
}
