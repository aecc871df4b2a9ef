package dev.pacer.bench;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.impl.DefaultCamelContext;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

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
            ConcurrentLinkedQueue<BenchMessage> queue = new ConcurrentLinkedQueue<>(messages);
            AtomicLong unsent = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> workers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    workers.add(pool.submit(() -> {
                        for (BenchMessage m = queue.poll(); m != null; m = queue.poll()) {
                            if (Instant.now().isAfter(stopAt)) {
                                unsent.incrementAndGet();
                                continue;
                            }
                            try {
                                template.requestBody("direct:send", target.body(m, from), String.class);
                            } catch (Exception e) {
                                unsent.incrementAndGet(); // redeliveries exhausted
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> w : workers) {
                    w.get();
                }
            } finally {
                pool.shutdownNow();
            }
            return unsent.get();
        }
    }
}
