package dev.pacer.bench;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * resilience4j as its guide sets it up: a {@link RateLimiter} refreshed every second with the
 * configured limit (one permit per segment, so a long message costs what it costs the provider),
 * inside a {@link Retry} (the decorator order the guide gives: Retry outermost) with exponential
 * back-off from 500 ms, retrying on a 429, a 5xx or no answer, up to 5 attempts.
 */
public final class Resilience4jBaseline implements Baseline {

    private final int threads;

    public Resilience4jBaseline(int threads) {
        this.threads = threads;
    }

    @Override
    public String name() {
        return "resilience4j (RateLimiter + Retry)";
    }

    @Override
    public long send(List<BenchMessage> messages, BenchTarget target, String from, Instant stopAt) throws Exception {
        int perSecond = Math.max(1, (int) Math.round(target.configuredSegmentsPerMinute() / 60.0));
        RateLimiter limiter = RateLimiter.of("provider", RateLimiterConfig.custom()
                .limitRefreshPeriod(Duration.ofSeconds(1)).limitForPeriod(perSecond)
                .timeoutDuration(Duration.between(Instant.now(), stopAt)).build());
        RetryConfig config = RetryConfig.<HttpResponse<String>>custom().maxAttempts(5)
                .intervalFunction(IntervalFunction.ofExponentialBackoff(Duration.ofMillis(500), 2))
                .retryOnResult(r -> r.statusCode() == 429 || r.statusCode() >= 500)
                .retryExceptions(java.io.IOException.class).build();
        Retry retry = Retry.of("provider", config);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        return Baseline.fromThreads(messages, threads, stopAt, m -> deliver(http, target.request(m, from), m.segments(), limiter, retry));
    }

    private static boolean deliver(HttpClient http, HttpRequest request, int segments, RateLimiter limiter, Retry retry) {
        try {
            HttpResponse<String> response = retry.executeCheckedSupplier(
                    RateLimiter.decorateCheckedSupplier(limiter, segments, () -> http.send(request, HttpResponse.BodyHandlers.ofString())));
            return response.statusCode() / 100 == 2;
        } catch (Throwable e) {
            return false; // retries exhausted on an exception, or no permit before the end
        }
    }
}
