package dev.pacer.receipt;

import dev.pacer.provider.ProviderAccount;
import dev.pacer.provider.Providers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Once {@code serve}'s web server is up, tells each built-in simulator standing in for an account
 * where to post its receipts and its recipients' replies: this server's {@code /callbacks/NAME},
 * with the account's callback credentials (made up for a simulated account that has none; Twilio's
 * simulator signs with the account's auth token instead).
 */
public class SimulatedReceipts {

    private static final Logger log = LoggerFactory.getLogger(SimulatedReceipts.class);

    private final Providers providers;

    public SimulatedReceipts(Providers providers) {
        this.providers = providers;
    }

    @EventListener
    public void ready(WebServerInitializedEvent event) {
        for (String name : providers.names()) {
            providers.simulator(name).ifPresent(simulator -> {
                ProviderAccount account = providers.account(name);
                URI to = URI.create("http://127.0.0.1:" + event.getWebServer().getPort() + "/callbacks/" + name);
                String credentials = account.settings().callbackUsername() + ":" + account.settings().callbackPassword();
                if (simulator.postReceipts(to, "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))) {
                    log.info("the {} simulator posts its receipts and replies (pacer.simulator.receipts, pacer.simulator.replies) to {}", name, to);
                }
            });
        }
    }
}
