package dev.pacer.bench;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.impl.DefaultCamelContext;

import java.time.Instant;
import java.util.List;

/**
 * Camel alone, as its documentation sets it up: the Throttle EIP (total requests per second, the
 * configured limit divided by the mean segments per message, since it counts exchanges) in front of
 * the camel-http endpoint, and the error handler redelivering a failed request (an HTTP error is an
 * {@link HttpOperationFailedException}) up to 5 times with exponential back-off from 1 s. camel-http
 * keeps its defaults.
 */
public final class CamelBaseline implements Baseline {

    private final int threads;

    public CamelBaseline(int threads) {
        this.threads = threads;
    }

    @Override
    public String name() {
        return "Camel (Throttle EIP + redelivery)";
    }

    @Override
    public long send(List<BenchMessage> messages, BenchTarget target, String from, Instant stopAt) throws Exception {
        long perSecond = Math.max(1, Math.round(target.messagesPerSecond()));
        try (CamelContext camel = new DefaultCamelContext()) {
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    onException(HttpOperationFailedException.class, java.io.IOException.class)
                            .maximumRedeliveries(5).redeliveryDelay(1000).useExponentialBackOff().backOffMultiplier(2)
                            .retryAttemptedLogLevel(org.apache.camel.LoggingLevel.DEBUG);
                    from("direct:send").routeId("baseline-send")
                            .throttle(perSecond).totalRequestsMode().timePeriodMillis(1000)
                            .setHeader(Exchange.HTTP_METHOD, constant("POST"))
                            .setHeader(Exchange.CONTENT_TYPE, constant("application/json"))
                            .setHeader("Authorization", constant(target.authorization()))
                            .to(target.messagesUri().toString());
                }
            });
            camel.start();
            ProducerTemplate template = camel.createProducerTemplate();
            return Baseline.fromThreads(messages, threads, stopAt, m -> {
                try {
                    template.requestBody("direct:send", target.body(m, from), String.class);
                    return true;
                } catch (org.apache.camel.CamelExecutionException e) {
                    return false; // redeliveries exhausted
                }
            });
        }
    }
}
