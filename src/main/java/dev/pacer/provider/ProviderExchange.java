package dev.pacer.provider;

import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.Message;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * The Java half of every provider route ({@code routes/*.camel.yaml}): turns an
 * {@link OutgoingMessage} into the account's create-message request through its
 * {@link ProviderApi}, and reads the answer back into a {@link SendResult}. A route calls
 * {@link #request}, {@link #response} and {@link #fault} by bean name ({@code providerExchange}) and
 * sends to {@code ${exchangeProperty.pacerUrl}} (the query string, if any, goes in the header
 * {@code CamelHttpQuery}).
 */
public class ProviderExchange {

    /** The exchange property holding the request's URL. */
    static final String URL = "pacerUrl";
    private static final String MESSAGE = "pacerMessage";
    private static final String DOUBT = "pacerSendInDoubt";
    private static final String REQUEST = "pacerRequest";
    /** Set when a 401 renewed a short-lived credential: the route sends the request once more ({@link #again}). */
    static final String AGAIN = "pacerAgain";
    private static final String RENEWED = "pacerRenewed";

    private final Providers providers;
    private final Clock clock;

    public ProviderExchange(Providers providers, Clock clock) {
        this.providers = providers;
        this.clock = clock;
    }

    public void request(Exchange exchange) throws InvalidPayloadException, CredentialUnavailableException {
        OutgoingMessage m = exchange.getMessage().getMandatoryBody(OutgoingMessage.class);
        ProviderAccount account = providers.account(m.provider());
        exchange.setProperty(MESSAGE, m);
        prepare(exchange, account, providers.api(account).request(m, account));
    }

    /** The credential check ({@link ProviderApi#credentialCheck}) of the account named in the body. */
    public void checkRequest(Exchange exchange) throws InvalidPayloadException, CredentialUnavailableException {
        String name = exchange.getMessage().getMandatoryBody(String.class);
        ProviderAccount account = providers.account(name);
        ProviderApi api = providers.api(account);
        exchange.setProperty(MESSAGE, new OutgoingMessage("credential-check", name, "", "", "", 0, null, null));
        prepare(exchange, account, api.authorize(api.credentialCheck(account).orElseThrow(
                () -> new IllegalArgumentException(account.type() + " has no credential check")), account));
    }

    /**
     * The request refused with a 401 once more, with a renewed credential ({@link ProviderApi#renew}):
     * a route calls it when {@code ${exchangeProperty.pacerAgain}} is true.
     */
    public void again(Exchange exchange) throws CredentialUnavailableException {
        ProviderRequest sent = exchange.getProperty(REQUEST, ProviderRequest.class);
        ProviderAccount account = providers.account(exchange.getProperty(MESSAGE, OutgoingMessage.class).provider());
        Map<String, String> headers = new HashMap<>(sent.headers());
        headers.remove("Authorization");
        exchange.setProperty(AGAIN, false);
        prepare(exchange, account, providers.api(account).authorize(
                new ProviderRequest(sent.method(), sent.path(), sent.contentType(), headers, sent.body()), account));
    }

    /** The search of the account's messages ({@link ProviderApi#lookup}) for the send in doubt in the body. */
    public void lookupRequest(Exchange exchange) throws InvalidPayloadException {
        SendInDoubt send = exchange.getMessage().getMandatoryBody(SendInDoubt.class);
        ProviderAccount account = providers.account(send.provider());
        exchange.setProperty(DOUBT, send);
        prepare(exchange, account, providers.api(account).lookup(send, account, clock.instant()).orElseThrow(
                () -> new IllegalArgumentException(account.type() + " has no message list to search")));
    }

    public void lookupResponse(Exchange exchange) {
        Message in = exchange.getMessage();
        in.removeHeader("Authorization");
        SendInDoubt send = exchange.getProperty(DOUBT, SendInDoubt.class);
        in.setBody(providers.api(providers.account(send.provider()))
                .readLookup(in.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class), in.getBody(String.class), send));
    }

    /** The search got no answer: the provider cannot tell, this time. */
    public void lookupFault(Exchange exchange) {
        exchange.getMessage().removeHeader("Authorization");
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        exchange.getMessage().setBody(Lookup.unknown("the message list gave no answer: " + (e == null ? "io-error" : e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : " " + e.getMessage()))));
    }

    private static void prepare(Exchange exchange, ProviderAccount account, ProviderRequest request) {
        exchange.setProperty(REQUEST, request);
        int q = request.path().indexOf('?');
        exchange.setProperty(URL, account.baseUrl() + (q < 0 ? request.path() : request.path().substring(0, q)));
        Message out = exchange.getMessage();
        out.setHeaders(new HashMap<>(request.headers()));
        if (q >= 0) {
            // the query goes as it is, encoded by the API: in the endpoint's URI Camel would decode it
            out.setHeader(Exchange.HTTP_QUERY, request.path().substring(q + 1));
        }
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
        ProviderAccount account = providers.account(m.provider());
        ProviderApi api = providers.api(account);
        if (status == 401 && api.renews() && !exchange.getProperty(RENEWED, false, Boolean.class)) {
            // the short-lived credential may have expired: renewed once, and the request sent again
            api.renew(account, exchange.getProperty(REQUEST, ProviderRequest.class));
            exchange.setProperty(RENEWED, true);
            exchange.setProperty(AGAIN, true);
        }
        // Camel's headers are case-insensitive
        in.setBody(api.read(status, name -> in.getHeader(name, String.class), in.getBody(String.class), m, clock.instant()));
    }

    /**
     * No response at all. A request that never left (the connection was refused or timed out, the
     * host is unknown, the TLS handshake failed) is a plain failure, which the rules treat as
     * transient; one that may have reached the provider (a timeout waiting for the answer, a
     * connection closed or reset without one, an answer cut short) is {@linkplain SendResult#lost lost}.
     */
    public void fault(Exchange exchange) {
        exchange.getMessage().removeHeader("Authorization");
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String type = e == null ? "io-error" : e.getClass().getSimpleName();
        String description = e == null ? null : e.getMessage();
        if (e instanceof CredentialUnavailableException c) {
            // no credential, no request: a refused client is the account's fault (401), a silent login server a transient one
            int status = c.status() == 429 || c.status() < 400 || c.status() >= 500 ? c.status() : 401;
            exchange.getMessage().setBody(SendResult.failed(status, "no-credential", description));
            return;
        }
        exchange.getMessage().setBody(neverSent(e) ? SendResult.failed(0, type, description) : SendResult.lost(0, type, description));
    }

    /** Whether {@code e} shows the request never reached the provider. */
    static boolean neverSent(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof java.net.UnknownHostException
                    || t instanceof java.net.NoRouteToHostException || t instanceof javax.net.ssl.SSLHandshakeException
                    // HttpClient 5's timeouts before a connection is had (not ConnectExceptions)
                    || t.getClass().getSimpleName().equals("ConnectTimeoutException")
                    || t.getClass().getSimpleName().equals("ConnectionRequestTimeoutException")) {
                return true;
            }
        }
        return false;
    }
}
