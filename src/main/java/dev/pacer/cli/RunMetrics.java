package dev.pacer.cli;

import dev.pacer.flow.Activities;
import dev.pacer.flow.Processes;


import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.history.HistoricActivityInstance;
import org.camunda.bpm.engine.history.HistoricProcessInstance;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static dev.pacer.flow.MessageVariables.FROM;
import static dev.pacer.flow.MessageVariables.OUTCOME;
import static dev.pacer.flow.MessageVariables.TEXT;
import static dev.pacer.flow.MessageVariables.TO;
import static dev.pacer.flow.MessageVariables.TTL;

/**
 * What a benchmark wants of one {@code pacer run} beyond its report ({@code --metrics-json},
 * {@code --realtime-probes}, and only then): the heap's peak, the CPU used, and real-time probes
 * (single messages submitted through the process API while the campaign runs) with their latency
 * to the provider.
 */
final class RunMetrics implements AutoCloseable {

    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pacer-heap-sampler");
        t.setDaemon(true);
        return t;
    });
    private volatile long heapPeak;
    private volatile long liveAfterGcPeak;
    private final List<String> probes = new ArrayList<>();

    private final long cpuAtStart = cpuNanos();
    private final long wallAtStart = System.nanoTime();

    RunMetrics() {
        sampler.scheduleAtFixedRate(this::sample, 0, 50, TimeUnit.MILLISECONDS);
    }

    /** The CPU time this JVM has used, all threads. */
    private static long cpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    }

    /** The heap in use, and what the last collection of each pool left (the live set, garbage aside). */
    private void sample() {
        heapPeak = Math.max(heapPeak, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        long afterGc = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                afterGc += pool.getCollectionUsage().getUsed();
            }
        }
        liveAfterGcPeak = Math.max(liveAfterGcPeak, afterGc);
    }

    /**
     * Submits {@code count} real-time messages, one every {@code every}, starting {@code after} from
     * now, from a background thread.
     */
    void probe(RuntimeService runtime, int count, Duration after, Duration every, String from) {
        for (int i = 0; i < count; i++) {
            int n = i;
            sampler.schedule(() -> {
                Map<String, Object> vars = new LinkedHashMap<>();
                FROM.put(vars, from);
                TO.put(vars, "+1202556%04d".formatted(n));
                TEXT.put(vars, "Your code is " + (100000 + n));
                TTL.put(vars, "PT5M");
                try {
                    String id = runtime.startProcessInstanceByKey(Processes.DELIVERY, "probe-" + n, vars).getId();
                    synchronized (probes) {
                        probes.add(id);
                    }
                } catch (RuntimeException e) {
                    System.err.println("real-time probe " + n + " was refused: " + e.getMessage());
                }
            }, after.plus(every.multipliedBy(i)).toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Waits for every probe submitted to end; fails after ten minutes (a probe that could not be submitted). */
    void awaitProbes(HistoryService history, int count) throws InterruptedException {
        long giveUp = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (System.nanoTime() < giveUp) {
            List<String> ids;
            synchronized (probes) {
                ids = List.copyOf(probes);
            }
            if (ids.size() == count && ids.stream().allMatch(id ->
                    history.createHistoricProcessInstanceQuery().processInstanceId(id).finished().count() == 1)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the real-time probes did not all end within ten minutes");
    }

    Map<String, Object> snapshot(HistoryService history) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("heapPeakSampledBytes", heapPeak);
        m.put("heapAfterGcPeakBytes", liveAfterGcPeak);
        m.put("heapPoolPeaksBytes", ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .map(MemoryPoolMXBean::getPeakUsage).mapToLong(u -> u.getUsed()).sum());
        m.put("heapMaxBytes", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax());
        // from the engine's start to the end of the campaign: cores busy = cpuSeconds / wallSeconds
        m.put("cpuSeconds", (cpuNanos() - cpuAtStart) / 1e9);
        m.put("wallSeconds", (System.nanoTime() - wallAtStart) / 1e9);
        m.put("cores", Runtime.getRuntime().availableProcessors());
        List<Map<String, Object>> latencies = new ArrayList<>();
        synchronized (probes) {
            for (String id : probes) {
                HistoricProcessInstance pi = history.createHistoricProcessInstanceQuery().processInstanceId(id).singleResult();
                List<HistoricActivityInstance> sends = history.createHistoricActivityInstanceQuery().processInstanceId(id)
                        .activityId(Activities.SEND).orderByHistoricActivityInstanceStartTime().desc().list();
                Object outcome = history.createHistoricVariableInstanceQuery().processInstanceId(id).variableName(OUTCOME.name())
                        .singleResult().getValue();
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("outcome", outcome);
                p.put("submittedAt", pi.getStartTime().toInstant().toString());
                p.put("toProviderMillis", sends.isEmpty() ? -1
                        : Duration.between(pi.getStartTime().toInstant(), sends.get(0).getStartTime().toInstant()).toMillis());
                latencies.add(p);
            }
        }
        m.put("probes", latencies);
        m.put("at", Instant.now().toString());
        return m;
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
