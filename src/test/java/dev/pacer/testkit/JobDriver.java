package dev.pacer.testkit;

import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.JobQuery;

import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * A punctual job executor for process tests: always the job due first, run at its due time on the
 * engine clock, which it moves forward.
 */
public final class JobDriver {

    private final ManagementService management;
    private final String processKey;

    /** @param processKey only jobs of this process definition, or null for all */
    public JobDriver(ManagementService management, String processKey) {
        this.management = management;
        this.processKey = processKey;
    }

    /** Runs every job until none is left; fails after {@code limit} jobs. */
    public void runAll(int limit) {
        if (runUntil(null, limit) == limit && next() != null) {
            throw new AssertionError("jobs did not settle within " + limit + " jobs");
        }
    }

    /** Runs the jobs already due, without moving the clock. */
    public void runDue() {
        if (runUntil(ClockUtil.getCurrentTime().toInstant(), 1000) == 1000) {
            throw new AssertionError("jobs did not settle within 1000 jobs");
        }
    }

    /**
     * Runs jobs in due order until the next is due after {@code until} (null: none left), then sets
     * the clock to {@code until} if it is behind.
     *
     * @return how many jobs ran
     */
    public int runUntil(Instant until, int limit) {
        int ran = 0;
        for (Job job = next(); job != null && ran < limit; job = next()) {
            if (until != null && job.getDuedate() != null && job.getDuedate().toInstant().isAfter(until)) {
                break;
            }
            if (job.getDuedate() != null && job.getDuedate().after(ClockUtil.getCurrentTime())) {
                ClockUtil.setCurrentTime(job.getDuedate());
            }
            management.executeJob(job.getId());
            ran++;
        }
        if (until != null && ClockUtil.getCurrentTime().toInstant().isBefore(until)) {
            ClockUtil.setCurrentTime(Date.from(until));
        }
        return ran;
    }

    private Job next() {
        JobQuery query = management.createJobQuery();
        if (processKey != null) {
            query.processDefinitionKey(processKey);
        }
        List<Job> jobs = query.orderByJobDuedate().asc().listPage(0, 1);
        return jobs.isEmpty() ? null : jobs.get(0);
    }
}
