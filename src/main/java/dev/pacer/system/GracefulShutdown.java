package dev.pacer.system;

import org.camunda.bpm.engine.impl.jobexecutor.JobExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.stereotype.Component;

/**
 * Shutting down (SIGTERM) in the right order: first the job executor stops taking jobs and lets
 * those it has run to their end, sends in flight answered and recorded; only then do Camel's routes
 * and the database go. (Left to Spring, Camel stops first and the jobs still running fail.)
 */
@Component
class GracefulShutdown {

    private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);
    /** The most the running jobs are given to finish: a send's answer comes within the HTTP client's timeout. */
    private static final int AWAIT_SECONDS = 30;

    /** The job executor's threads, the starter's bean (none when job execution is off: report, trail). */
    private static final String THREADS = "camundaTaskExecutor";

    private final ObjectProvider<JobExecutor> jobs;
    private final BeanFactory beans;

    GracefulShutdown(ObjectProvider<JobExecutor> jobs, BeanFactory beans) {
        this.jobs = jobs;
        this.beans = beans;
    }

    @EventListener
    @Order(Ordered.HIGHEST_PRECEDENCE)
    public void stopTakingJobs(ContextClosedEvent event) {
        JobExecutor executor = jobs.getIfAvailable();
        if (executor == null || !executor.isActive()) {
            return;
        }
        executor.shutdown();
        if (beans.containsBean(THREADS) && beans.getBean(THREADS) instanceof ThreadPoolTaskExecutor pool) {
            pool.setWaitForTasksToCompleteOnShutdown(true);
            pool.setAwaitTerminationSeconds(AWAIT_SECONDS);
            pool.shutdown();
        }
        log.info("stopped taking jobs; the jobs that were running have finished");
    }
}
