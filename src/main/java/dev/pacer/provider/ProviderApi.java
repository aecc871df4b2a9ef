package dev.pacer.provider;

import dev.pacer.throttle.ScopeLimit;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
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

    /** What the provider knows the account by, the last part of its scope's name: Bandwidth's account id by default. */
    default String accountId(ProviderProperties settings) {
        return settings.accountId();
    }

    /**
     * Whether each sender number has a queue of its own at the provider that can fill (Twilio's
     * 21611): each sender is then a scope that a full queue holds, without holding the others.
     */
    default boolean senderQueues() {
        return false;
    }

    /**
     * Whether the provider posts a delivery receipt for each message it takes (Bandwidth's
     * {@code message-delivered}/{@code message-failed}, Twilio's status callbacks): with receipts on,
     * its messages wait for them.
     */
    default boolean postsReceipts() {
        return true;
    }

    /**
     * What makes a message one the provider can never take (Genesys Cloud: a text over 765
     * characters), said in one line; empty when it can take it. The message then ends {@code INVALID}.
     */
    default Optional<String> refuses(String text, int segments) {
        return Optional.empty();
    }

    /**
     * Whether a {@code 401} may mean only that a short-lived credential expired (an OAuth token):
     * the route then renews it ({@link #renew}) and sends once more.
     */
    default boolean renews() {
        return false;
    }

    /** Forgets the short-lived credential {@code refused} was sent with, so that the next request gets a new one. */
    default void renew(ProviderAccount account, ProviderRequest refused) {
    }

    /**
     * {@code request} with the account's credentials, where it has none yet (a credential check, a
     * request sent again after {@link #renew}): a provider whose credential is short-lived gets it here.
     */
    default ProviderRequest authorize(ProviderRequest request, ProviderAccount account) throws CredentialUnavailableException {
        return request;
    }

    /** Checks an account's settings at start-up; throws {@link InvalidAccountException} naming the property at fault. */
    void check(ProviderAccount account);

    /** The create-message request for one message, its path relative to the account's base URL. */
    ProviderRequest request(OutgoingMessage message, ProviderAccount account) throws CredentialUnavailableException;

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

    /**
     * Why a callback to {@code /callbacks/NAME} is not the provider's own (wrong credentials, a bad
     * signature), said in one line; empty when it is. A provider that posts no callbacks refuses all.
     *
     * @return the status to answer with (401 or 403) and the reason, or empty
     */
    default Optional<CallbackRefusal> refusesCallback(ProviderAccount account, Callback callback) {
        return Optional.of(new CallbackRefusal(404, type() + " posts no callbacks"));
    }

    /** What a callback the provider posted tells (receipts and replies); what Pacer has no use for is left out. */
    default List<ProviderEvent> events(Callback callback, Instant now) {
        return List.of();
    }

    /** Why a callback is refused: the status to answer with and the reason. */
    record CallbackRefusal(int status, String reason) {
    }

    /** Starts the built-in simulator of this provider for the account, on a loopback port. */
    ProviderSimulator simulate(ProviderAccount account, SimulatorProperties settings, Clock clock) throws IOException;
}
