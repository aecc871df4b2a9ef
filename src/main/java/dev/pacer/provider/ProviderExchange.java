package dev.pacer.provider;

import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.Message;

import java.time.Clock;
import java.util.HashMap;

/**
 * The Java half of every provider route ({@code routes/*.camel.yaml}): turns an
 * {@link OutgoingMessage} into the account's create-message request through its
 * {@link ProviderApi}, and reads the answer back into a {@link SendResult}. A route calls
 * {@link #request}, {@link #response} and {@link #fault} by bean name ({@code providerExchange}) and
 * sends to {@code ${exchangeProperty.pacerUrl}}.
 */
public class ProviderExchange {

    /** The exchange property holding the request's URL. */
    static final String URL = "pacerUrl";
    private static final String MESSAGE = "pacerMessage";

    private final Providers providers;
    private final Clock clock;

    public ProviderExchange(Providers providers, Clock clock) {
        this.providers = providers;
        this.clock = clock;
    }

    public void request(Exchange exchange) throws InvalidPayloadException {
        OutgoingMessage m = exchange.getMessage().getMandatoryBody(OutgoingMessage.class);
        ProviderAccount account = providers.account(m.provider());
        ProviderRequest request = providers.api(account).request(m, account);
        exchange.setProperty(MESSAGE, m);
        prepare(exchange, account, request);
    }

    /** The credential check ({@link ProviderApi#credentialCheck}) of the account named in the body. */
    public void checkRequest(Exchange exchange) throws InvalidPayloadException {
        String name = exchange.getMessage().getMandatoryBody(String.class);
        ProviderAccount account = providers.account(name);
        exchange.setProperty(MESSAGE, new OutgoingMessage("credential-check", name, "", "", "", 0, null, null));
        prepare(exchange, account, providers.api(account).credentialCheck(account).orElseThrow(
                () -> new IllegalArgumentException(account.type() + " has no credential check")));
    }

    private static void prepare(Exchange exchange, ProviderAccount account, ProviderRequest request) {
        exchange.setProperty(URL, account.baseUrl() + request.path());
        Message out = exchange.getMessage();
        out.setHeaders(new HashMap<>(request.headers()));
        out.setHeader(Exchange.HTTP_METHOD, request.method());
        if (request.contentType() != null) {
            out.setHeader(Exchange.CONTENT_TYPE, request.contentType());
        }
        out.setBody(request.body());
    }

    public void response(Exchange exchange) {
        Message in = exchange.getMessage();
        in.removeHeader("Authorization");
        OutgoingMessage m = exchange.getProperty(MESSAGE, OutgoingMessage.class);
        int status = in.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        // Camel's headers are case-insensitive
        in.setBody(providers.api(providers.account(m.provider()))
                .read(status, name -> in.getHeader(name, String.class), in.getBody(String.class), m, clock.instant()));
    }

    /** No response at all (refused connection, timeout): the rules treat status 0 as transient. */
    public void fault(Exchange exchange) {
        exchange.getMessage().removeHeader("Authorization");
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        exchange.getMessage().setBody(SendResult.failed(0, e == null ? "io-error" : e.getClass().getSimpleName(), e == null ? null : e.getMessage()));
    }
}
