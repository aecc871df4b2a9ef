package dev.pacer.system;

import dev.pacer.provider.MessageSender;
import dev.pacer.provider.OutgoingMessage;
import dev.pacer.provider.SendResult;
import org.apache.camel.ProducerTemplate;

/** Sends through the provider's Camel route, {@code direct:<provider>-send}. */
class CamelSender implements MessageSender {

    private final ProducerTemplate template;

    CamelSender(ProducerTemplate template) {
        this.template = template;
    }

    @Override
    public SendResult send(OutgoingMessage message) {
        return template.requestBody("direct:" + message.provider() + "-send", message, SendResult.class);
    }
}
