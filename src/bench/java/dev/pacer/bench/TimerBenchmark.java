package dev.pacer.bench;

import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.history.HistoricActivityInstance;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Measures how late the job executor fires timers: starts instances of a one-timer probe process
 * and reads each timer's lateness (activity end minus start minus the timer's duration) from history.
 */
class TimerBenchmark {

    private static final String PROBE = "pacerTimerProbe";

    private final RepositoryService repository;
    private final RuntimeService runtime;
    private final HistoryService history;

    TimerBenchmark(RepositoryService repository, RuntimeService runtime, HistoryService history) {
        this.repository = repository;
        this.runtime = runtime;
        this.history = history;
    }

    String run(int count, Duration delay) throws InterruptedException {
        BpmnModelInstance model = Bpmn.createExecutableProcess(PROBE).camundaHistoryTimeToLive(1)
                .startEvent().intermediateCatchEvent("probeTimer").timerWithDuration(delay.toString()).endEvent().done();
        repository.createDeployment().addModelInstance(PROBE + ".bpmn", model).name(PROBE).deploy();
        long since = System.currentTimeMillis();
        for (int i = 0; i < count; i++) {
            runtime.startProcessInstanceByKey(PROBE);
            Thread.sleep(20);
        }
        while (runtime.createProcessInstanceQuery().processDefinitionKey(PROBE).count() > 0) {
            Thread.sleep(100);
        }
        List<HistoricActivityInstance> timers = history.createHistoricActivityInstanceQuery().activityId("probeTimer")
                .startedAfter(new java.util.Date(since - 1)).list();
        long[] lateness = timers.stream().mapToLong(a -> a.getEndTime().getTime() - a.getStartTime().getTime() - delay.toMillis())
                .sorted().toArray();
        return String.format(Locale.ROOT, "%d timers of %s: lateness p50 %d ms, p99 %d ms, max %d ms",
                lateness.length, delay, lateness[lateness.length / 2], lateness[(int) Math.ceil(lateness.length * 0.99) - 1],
                lateness[lateness.length - 1]);
    }
}
