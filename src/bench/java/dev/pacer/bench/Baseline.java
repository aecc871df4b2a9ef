package dev.pacer.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A way to send a campaign that a user would otherwise pick. It sends every message until the
 * provider takes it, gives up on it, or {@code stopAt} comes; what the provider made of it is the
 * simulator's score, not the baseline's own account.
 */
public interface Baseline {

    String name();

    /** @return messages given up on (retries exhausted) or still unsent at {@code stopAt} */
    long send(List<BenchMessage> messages, BenchTarget target, String from, Instant stopAt) throws Exception;

    /** Sends one message, however the baseline does; true when the provider took it. */
    interface Delivery {
        boolean deliver(BenchMessage message) throws Exception;
    }

    /**
     * The senders' common loop: {@code threads} threads, each taking the next message and delivering
     * it; a message whose turn comes after {@code stopAt} is not sent.
     *
     * @return messages not delivered
     */
    static long fromThreads(List<BenchMessage> messages, int threads, Instant stopAt, Delivery delivery) throws Exception {
        ConcurrentLinkedQueue<BenchMessage> queue = new ConcurrentLinkedQueue<>(messages);
        long[] undelivered = new long[threads];
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int worker = t;
                workers.add(pool.submit(() -> {
                    for (BenchMessage m = queue.poll(); m != null; m = queue.poll()) {
                        if (Instant.now().isAfter(stopAt) || !delivery.deliver(m)) {
                            undelivered[worker]++;
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
        return java.util.Arrays.stream(undelivered).sum();
    }
}
