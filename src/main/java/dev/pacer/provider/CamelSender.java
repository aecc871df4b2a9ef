package dev.pacer.provider;

import org.apache.camel.ProducerTemplate;

/** Sends through the account's provider route, {@code direct:<type>-send}. */
public class CamelSender implements MessageSender {

    private final ProducerTemplate template;
    private final Providers providers;

    public CamelSender(ProducerTemplate template, Providers providers) {
        this.template = template;
        this.providers = providers;
    }

    @Override
    public SendResult send(OutgoingMessage message) {
        return template.requestBody("direct:" + providers.account(message.provider()).type() + "-send", message, SendResult.class);
    }
}
