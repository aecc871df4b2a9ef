package dev.pacer.provider;

import org.apache.camel.ProducerTemplate;

import java.time.Clock;

/**
 * Asks a provider whether it has a message whose send is in doubt, through the account's route
 * {@code direct:<type>-lookup} where its API has a message list to search.
 */
public class ProviderLookup implements SentMessages {

    private final ProducerTemplate template;
    private final Providers providers;
    private final Clock clock;

    public ProviderLookup(ProducerTemplate template, Providers providers, Clock clock) {
        this.template = template;
        this.providers = providers;
        this.clock = clock;
    }

    @Override
    public Lookup find(SendInDoubt send) {
        ProviderAccount account = providers.account(send.provider());
        ProviderApi api = providers.api(account);
        if (api.lookup(send, account, clock.instant()).isEmpty()) {
            return api.readLookup(0, null, send);
        }
        return template.requestBody("direct:" + account.type() + "-lookup", send, Lookup.class);
    }
}
