package dev.pacer.bench;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The loop from the forum thread: send as fast as possible; on a 429 sleep {@code Retry-After}
 * seconds, or 1 s without one, and send the same message again. Any other failure is tried again
 * after 1 s. As many threads as Pacer allows requests in flight.
 */
public final class NaiveLoop implements Baseline {

    private final int threads;

    public NaiveLoop(int threads) {
        this.threads = threads;
    }

    @Override
    public String name() {
        return "naive loop (sleep Retry-After, else 1 s)";
    }

    @Override
    public long send(List<BenchMessage> messages, BenchTarget target, String from, Instant stopAt) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        return Baseline.fromThreads(messages, threads, stopAt, m -> deliver(http, target.request(m, from), stopAt));
    }

    private static boolean deliver(HttpClient http, HttpRequest request, Instant stopAt) throws InterruptedException {
        while (Instant.now().isBefore(stopAt)) {
            long sleep = 1000;
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() / 100 == 2) {
                    return true;
                }
                if (response.statusCode() == 429) {
                    sleep = response.headers().firstValue("Retry-After").map(NaiveLoop::seconds).orElse(1000L);
                }
            } catch (java.io.IOException e) {
                // no answer: try again in a second
            }
            Thread.sleep(sleep);
        }
        return false;
    }

    private static long seconds(String retryAfter) {
        try {
            return Long.parseLong(retryAfter.trim()) * 1000;
        } catch (NumberFormatException e) {
            return 1000; // an HTTP-date: the thread's snippet does not read those
        }
    }
}
