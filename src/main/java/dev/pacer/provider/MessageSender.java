package dev.pacer.provider;

/** Sends one message to its provider and says what became of it; never throws for a provider fault. */
public interface MessageSender {

    SendResult send(OutgoingMessage message);
}
