package dev.pacer.delivery;

import dev.pacer.flow.ResponseClass;
import dev.pacer.provider.ProviderAccount;
import dev.pacer.provider.Providers;
import dev.pacer.provider.SendResult;
import org.apache.camel.ProducerTemplate;

import java.util.Optional;

/**
 * Asks a provider whether it takes an account's credentials before anything is sent, through the
 * provider's route ({@code direct:<type>-check}) where its API has a check: {@code pacer run} stops
 * before the first send when the response rules call the answer {@code ACCOUNT} (401, 403).
 */
public class CredentialCheck {

    private final ProducerTemplate template;
    private final Providers providers;
    private final ResponseRules rules;

    public CredentialCheck(ProducerTemplate template, Providers providers, ResponseRules rules) {
        this.template = template;
        this.providers = providers;
        this.rules = rules;
    }

    /**
     * Why the provider refuses the account, or empty when it takes it, or cannot say (no check, no
     * answer: the sends find out, and wait for a provider that is down).
     */
    public Optional<String> refused(String accountName) {
        ProviderAccount account = providers.account(accountName);
        if (providers.api(account).credentialCheck(account).isEmpty()) {
            return Optional.empty();
        }
        SendResult answer = template.requestBody("direct:" + account.type() + "-check", accountName, SendResult.class);
        if (rules.classify(account.type(), answer).responseClass() != ResponseClass.ACCOUNT) {
            return Optional.empty();
        }
        return Optional.of(accountName + " refused the account (" + answer.reason() + "): check pacer.providers." + accountName
                + "'s credentials and permissions");
    }
}
