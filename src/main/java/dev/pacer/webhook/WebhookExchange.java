package dev.pacer.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.retry.RetryAfter;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.Message;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * The Java half of the route {@code webhook} ({@code routes/webhook.camel.yaml}, {@code ref:
 * webhookExchange}): one {@link CampaignEvent} as a JSON {@code POST} to {@code pacer.webhook.url},
 * with the configured {@code Authorization} header (a secret: dropped from the exchange once the
 * answer is in), and the answer read into a {@link Webhook.Answer}.
 */
public class WebhookExchange {

    private final String url;
    private final String authorization;
    private final ObjectMapper json;
    private final Clock clock;

    public WebhookExchange(String url, String authorization, ObjectMapper json, Clock clock) {
        this.url = url;
        this.authorization = authorization;
        this.json = json;
        this.clock = clock;
    }

    public void request(Exchange exchange) throws InvalidPayloadException, JsonProcessingException {
        CampaignEvent event = exchange.getMessage().getMandatoryBody(CampaignEvent.class);
        exchange.setProperty("pacerUrl", url);
        Map<String, Object> headers = new HashMap<>();
        headers.put(Exchange.HTTP_METHOD, "POST");
        headers.put(Exchange.CONTENT_TYPE, "application/json");
        if (authorization != null && !authorization.isBlank()) {
            headers.put("Authorization", authorization);
        }
        Message out = exchange.getMessage();
        out.setHeaders(headers);
        out.setBody(json.writeValueAsString(event));
    }

    public void response(Exchange exchange) {
        Message in = exchange.getMessage();
        in.removeHeader("Authorization");
        int status = in.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        in.setBody(new Webhook.Answer(status, RetryAfter.parse(in.getHeader("Retry-After", String.class), in.getHeader("Date", String.class),
                clock.instant()).orElse(null), status >= 300 ? "HTTP " + status : null));
    }

    public void fault(Exchange exchange) {
        exchange.getMessage().removeHeader("Authorization");
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        exchange.getMessage().setBody(new Webhook.Answer(0, null, e == null ? "no answer" : e.getClass().getSimpleName() + " " + e.getMessage()));
    }
}
