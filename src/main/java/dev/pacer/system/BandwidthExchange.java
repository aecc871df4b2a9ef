package dev.pacer.system;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.provider.BandwidthResponses;
import dev.pacer.provider.OutgoingMessage;
import dev.pacer.provider.SendResult;
import dev.pacer.throttle.Priority;
import org.apache.camel.Exchange;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The Java half of {@code routes/bandwidth.camel.yaml}: builds the create-message request from an
 * {@link OutgoingMessage} and reads the response back into a {@link SendResult}. The route calls
 * {@link #request}, {@link #response} and {@link #fault} by bean name.
 */
public class BandwidthExchange {

    static final String BASE_URL = "pacerBaseUrl";
    static final String ACCOUNT_ID = "pacerAccountId";
    static final String SEGMENTS = "pacerSegments";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Providers providers;
    private final BandwidthResponses responses;
    private final Clock clock;

    BandwidthExchange(Providers providers, BandwidthResponses responses, Clock clock) {
        this.providers = providers;
        this.responses = responses;
        this.clock = clock;
    }

    public void request(Exchange exchange) throws org.apache.camel.InvalidPayloadException {
        OutgoingMessage m = exchange.getMessage().getMandatoryBody(OutgoingMessage.class);
        ProviderEndpoint endpoint = providers.endpoint(m.provider());
        ObjectNode body = JSON.createObjectNode();
        body.put("applicationId", endpoint.applicationId());
        body.putArray("to").add(m.to());
        body.put("from", m.from());
        body.put("text", m.text());
        body.put("tag", m.key());
        body.put("priority", m.priority() == Priority.REALTIME ? "high" : "default");
        if (m.deadline() != null) {
            body.put("expiration", m.deadline().truncatedTo(ChronoUnit.MILLIS).toString());
        }
        exchange.setProperty(BASE_URL, endpoint.baseUrl());
        exchange.setProperty(ACCOUNT_ID, endpoint.accountId());
        exchange.setProperty(SEGMENTS, m.segments());
        exchange.getMessage().setHeaders(new java.util.HashMap<>());
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json; charset=utf-8");
        exchange.getMessage().setHeader("Authorization", endpoint.authorization());
        exchange.getMessage().setBody(body.toString());
    }

    public void response(Exchange exchange) {
        var in = exchange.getMessage();
        in.removeHeader("Authorization");
        int status = in.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        int segments = exchange.getProperty(SEGMENTS, 1, Integer.class);
        Instant now = clock.instant();
        // Camel's headers are case-insensitive
        in.setBody(responses.read(status, name -> in.getHeader(name, String.class), in.getBody(String.class), segments, now));
    }

    /** No response at all (refused connection, timeout): transient by definition. */
    public void fault(Exchange exchange) {
        exchange.getMessage().removeHeader("Authorization");
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        exchange.getMessage().setBody(SendResult.failed(SendResult.Kind.TRANSIENT, 0, e == null ? "io-error" : e.getClass().getSimpleName(),
                e == null ? null : e.getMessage()));
    }
}
