package dev.pacer.testkit;

import dev.pacer.flow.Processes;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.junit5.ProcessEngineExtension;
import org.camunda.bpm.engine.test.mock.Mocks;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The process tests' engine (in memory, history level {@code trail}, no job executor: tests run
 * jobs by hand with {@link JobDriver}), with the engine clock and the delegates bound by name reset
 * after each test. Register it with {@code @RegisterExtension static PacerEngine engine = new PacerEngine();}
 * and deploy the models with {@code @Deployment}.
 */
public class PacerEngine extends ProcessEngineExtension {

    private static final AtomicInteger KEYS = new AtomicInteger();

    public PacerEngine() {
        configurationResource("process-test.camunda.cfg.xml");
        build();
    }

    /**
     * Binds the BPMN assertions to this engine: a Spring test of the same JVM may have an engine of
     * its own open (its context is cached), and the assertions would not know which to use.
     */
    @Override
    public void beforeTestExecution(ExtensionContext context) {
        super.beforeTestExecution(context);
        org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.init(getProcessEngine());
    }

    /** Sets the engine clock (and so the delegates' {@code CamundaClock}) to {@code now}. */
    public void clockAt(Instant now) {
        ClockUtil.setCurrentTime(Date.from(now));
    }

    /** A punctual job executor for the jobs of {@code processKey} (null: all). */
    public JobDriver jobs(String processKey) {
        return new JobDriver(getManagementService(), processKey);
    }

    /** Starts a {@code delivery} instance with a business key of its own: a message on its own is sent once per key. */
    public ProcessInstance startMessage(Map<String, Object> variables) {
        return getRuntimeService().startProcessInstanceByKey(Processes.DELIVERY, "c1/" + KEYS.incrementAndGet(), variables);
    }

    /** The instance's job due first (a deadline timer waits behind every other), or null when it has none. */
    public Job next(ProcessInstance pi) {
        List<Job> jobs = getManagementService().createJobQuery().processInstanceId(pi.getId()).orderByJobDuedate().asc().listPage(0, 1);
        return jobs.isEmpty() ? null : jobs.get(0);
    }

    /** Runs {@code job}, first moving the clock to its due date if that is later. */
    public void execute(Job job) {
        if (job.getDuedate() != null && job.getDuedate().after(ClockUtil.getCurrentTime())) {
            ClockUtil.setCurrentTime(job.getDuedate());
        }
        getManagementService().executeJob(job.getId());
    }

    /** Runs the instance's jobs one by one, moving the clock to each one's due date, until it ends. */
    public void drive(ProcessInstance pi) {
        for (int i = 0; i < 50; i++) {
            Job job = next(pi);
            if (job == null) {
                return;
            }
            execute(job);
        }
        throw new AssertionError("instance did not end within 50 jobs");
    }

    /** A variable's last value in the history tables (the instance may have ended). */
    public Object variable(ProcessInstance pi, String name) {
        return getHistoryService().createHistoricVariableInstanceQuery().processInstanceId(pi.getId()).variableName(name)
                .singleResult().getValue();
    }

    /** When the instance ended, from the history tables. */
    public Instant ended(ProcessInstance pi) {
        return getHistoryService().createHistoricProcessInstanceQuery().processInstanceId(pi.getId()).singleResult().getEndTime()
                .toInstant();
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        try {
            super.afterTestExecution(context);
        } finally {
            ClockUtil.reset();
            Mocks.reset();
        }
    }
}
