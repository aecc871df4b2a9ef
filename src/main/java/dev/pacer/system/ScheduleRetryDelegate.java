package dev.pacer.system;

import dev.pacer.audit.WaitReason;
import dev.pacer.retry.BackoffPolicy;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.random.RandomGenerator;

/**
 * After a transient failure, with the retry policy the rules chose ({@code retryPolicy}): either
 * sets {@code wakeAt} for the back-off timer ({@code slot} {@code RETRY}), or ends the message
 * {@code DROPPED} when the policy has no attempt left, or {@code EXPIRED} when the retry would come
 * after the deadline. The wait is at least what the provider named ({@code retryNotBefore}).
 */
public class ScheduleRetryDelegate implements JavaDelegate {

    private final PacerProperties.Retry retry;
    private final Clock clock;
    private final RandomGenerator random;

    ScheduleRetryDelegate(PacerProperties.Retry retry, Clock clock, RandomGenerator random) {
        this.retry = retry;
        this.clock = clock;
        this.random = random;
    }

    @Override
    public void execute(DelegateExecution execution) {
        String name = (String) execution.getVariable(Vars.RETRY_POLICY);
        BackoffPolicy policy = retry.policy(name == null ? "default" : name).toBackoff();
        int failures = (Integer) execution.getVariable(Vars.FAILURES);
        String last = (String) execution.getVariable(Vars.REASON);
        if (!policy.allowsAnotherAttempt(failures)) {
            give(execution, Outcome.DROPPED, "gave up after " + failures + " failed attempts (retry policy " + name + "), last: " + last);
            return;
        }
        Object previous = execution.getVariable(Vars.LAST_BACKOFF);
        Duration delay = policy.delay(failures, previous == null ? null : Duration.ofMillis((Long) previous), random);
        Instant at = clock.instant().plus(delay);
        Date notBefore = (Date) execution.getVariable(Vars.RETRY_NOT_BEFORE);
        if (notBefore != null && notBefore.toInstant().isAfter(at)) {
            at = notBefore.toInstant();
        }
        Date deadline = (Date) execution.getVariable(Vars.DEADLINE);
        if (deadline != null && at.isAfter(deadline.toInstant())) {
            give(execution, Outcome.EXPIRED, "retry at " + at + " would come after the deadline " + deadline.toInstant() + " (" + last + ")");
            return;
        }
        execution.setVariable(Vars.LAST_BACKOFF, delay.toMillis());
        Object status = execution.getVariable(Vars.HTTP_STATUS);
        String cause = status == null || ((Integer) status) == 0 ? WaitReason.NO_RESPONSE : status.toString();
        execution.setVariable(Vars.WAIT_REASON, WaitReason.of(cause, "back-off " + delay.toMillis() + " ms after failed attempt "
                + failures + " (retry policy " + name + "): " + last));
        execution.setVariable(Vars.WAKE_AT, Vars.wakeAt(at));
        execution.setVariable(Vars.SLOT, ThrottleDelegate.RETRY);
    }

    private static void give(DelegateExecution execution, Outcome outcome, String reason) {
        execution.setVariable(Vars.SLOT, outcome.name());
        SendDelegate.end(execution, outcome, reason);
    }
}
