package dev.pacer.bench;

import dev.pacer.provider.Providers;

import dev.pacer.provider.MessageSender;
import dev.pacer.provider.OutgoingMessage;
import dev.pacer.provider.SendResult;
import dev.pacer.throttle.Grant;
import dev.pacer.throttle.Pacer;
import dev.pacer.throttle.Priority;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The send path without the engine: what is left of a message's cost when the process engine's
 * persistence is taken out (the batch design of docs/benchmarks.md). Each message is reserved in the
 * pacer, takes an in-flight place, goes through the provider's Camel route and HTTP to the simulator,
 * and is accounted as accepted, from as many threads as the job executor has.
 */
final class SendPathBenchmark {

    private final Pacer pacer;
    private final Providers providers;
    private final MessageSender sender;

    SendPathBenchmark(Pacer pacer, Providers providers, MessageSender sender) {
        this.pacer = pacer;
        this.providers = providers;
        this.sender = sender;
    }

    /** Sends {@code warmUp} then {@code messages} one-segment messages from {@code threads} threads; returns the figures of the latter. */
    String run(int warmUp, int messages, int threads) throws Exception {
        pump(warmUp, threads, "warm");
        long cpu = cpuNanos();
        long wall = System.nanoTime();
        pump(messages, threads, "bench");
        double seconds = (System.nanoTime() - wall) / 1e9;
        double cores = (cpuNanos() - cpu) / 1e9 / seconds;
        return String.format(Locale.ROOT, "send path: %d messages in %.2f s: %.0f messages/s, %.2f cores busy", messages, seconds,
                messages / seconds, cores);
    }

    private void pump(int count, int threads, String prefix) throws Exception {
        String provider = providers.names().iterator().next();
        String from = "+12025550100";
        List<String> scopes = providers.scopes(provider, from, null);
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        Grant slot = pacer.reserve(scopes, 1, Priority.BULK, -1);
                        while (!slot.reserved()) { // beyond the bulk horizon: ask again at the time it gives
                            Thread.sleep(Math.max(1, Duration.between(java.time.Instant.now(), slot.at()).toMillis()));
                            slot = pacer.reserve(scopes, 1, Priority.BULK, slot.ticket());
                        }
                        long wait = Duration.between(java.time.Instant.now(), slot.at()).toMillis();
                        if (wait > 0) {
                            Thread.sleep(wait);
                        }
                        if (!pacer.enter(scopes, Duration.ofSeconds(30))) {
                            throw new IllegalStateException("no in-flight place within 30 s");
                        }
                        SendResult result;
                        try {
                            result = sender.send(new OutgoingMessage(prefix + "/" + i, provider, from, ChildRun.number(i % ChildRun.MAX_RECIPIENTS),
                                    "Reminder " + i + ": your appointment is tomorrow.", 1, Priority.BULK, null));
                        } finally {
                            pacer.exit(scopes);
                        }
                        if (result.status() / 100 != 2) {
                            throw new IllegalStateException("message " + i + " was not accepted: " + result.reason());
                        }
                        pacer.accepted(scopes, 1);
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
    }

    private static long cpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    }
}
