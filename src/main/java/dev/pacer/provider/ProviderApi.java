package dev.pacer.provider;

import dev.pacer.throttle.ScopeLimit;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;

/**
 * One provider's messaging API: what its accounts need, how a message becomes its create-message
 * request, and how its answer reads. Pacer talks to a provider through nothing else.
 *
 * <p>Adding a provider means a package {@code provider/TYPE} with an implementation of this
 * interface registered as a bean, a route {@code routes/TYPE.camel.yaml} from {@code direct:TYPE-send}
 * (and {@code direct:TYPE-check}, {@code direct:TYPE-lookup} where the API has them) that calls
 * {@link ProviderExchange} around its HTTP call, and rows for it in
 * {@code bpmn/response-rules.dmn} (the provider column names the type).
 */
public interface ProviderApi {

    /** The provider's type: {@code pacer.providers.NAME.type}, the route's name, the response rules' provider column. */
    String type();

    /** What the account's own limit counts: Bandwidth and Twilio count segments, Genesys requests. */
    ScopeLimit.Unit accountUnit();

    /** Checks an account's settings at start-up; throws {@link InvalidAccountException} naming the property at fault. */
    void check(ProviderAccount account);

    /** The create-message request for one message, its path relative to the account's base URL. */
    ProviderRequest request(OutgoingMessage message, ProviderAccount account);

    /**
     * Reads the provider's answer: the wait it asks for (its {@code Retry-After} or its own hints),
     * its error type and code, the rate-limit headers. Never throws for what a provider may send.
     *
     * @param header the response's headers, looked up case-insensitively (null when absent)
     */
    SendResult read(int status, Function<String, String> header, String body, OutgoingMessage message, Instant now);

    /**
     * A request that shows whether the provider takes the account's credentials without sending
     * anything (a {@code GET}: Bandwidth's message list), for {@code pacer run} to check before the
     * first send; empty where the provider has none.
     */
    Optional<ProviderRequest> credentialCheck(ProviderAccount account);

    /**
     * The search of the account's sent messages for one that {@code send} may have created, for a
     * send whose answer was lost (Bandwidth's and Twilio's message lists can be searched by number and
     * time); empty where the provider has none, and the send's doubt is then the policy's to settle.
     *
     * @param now when the search goes out: the end of the time range searched
     */
    default Optional<ProviderRequest> lookup(SendInDoubt send, ProviderAccount account, Instant now) {
        return Optional.empty();
    }

    /** Reads the search's answer; never throws for what a provider may send. */
    default Lookup readLookup(int status, String body, SendInDoubt send) {
        return Lookup.unknown(type() + " has no message list to search");
    }

    /** Starts the built-in simulator of this provider for the account, on a loopback port. */
    ProviderSimulator simulate(ProviderAccount account, SimulatorProperties settings, Clock clock) throws IOException;
}
