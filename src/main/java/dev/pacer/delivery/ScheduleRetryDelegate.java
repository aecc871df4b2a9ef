package dev.pacer.delivery;

import dev.pacer.flow.Outcome;
import dev.pacer.flow.Slot;
import dev.pacer.flow.WaitReason;
import dev.pacer.retry.BackoffPolicy;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.random.RandomGenerator;

import static dev.pacer.flow.MessageVariables.DEADLINE;
import static dev.pacer.flow.MessageVariables.FAILURES;
import static dev.pacer.flow.MessageVariables.HTTP_STATUS;
import static dev.pacer.flow.MessageVariables.LAST_BACKOFF_MILLIS;
import static dev.pacer.flow.MessageVariables.REASON;
import static dev.pacer.flow.MessageVariables.RETRY_AT;
import static dev.pacer.flow.MessageVariables.RETRY_NOT_BEFORE;
import static dev.pacer.flow.MessageVariables.RETRY_POLICY;
import static dev.pacer.flow.MessageVariables.SLOT;
import static dev.pacer.flow.MessageVariables.WAIT_REASON;

/**
 * After a transient failure, with the retry policy the rules chose ({@code retryPolicy}), or the
 * one the step names (its property {@code retryPolicy}, set in Modeler), from the deployed table
 * {@code retry-policies} and the settings: either
 * sets {@code retryAt} for the back-off timer ({@code slot} {@code RETRY}), or ends the message
 * {@code DROPPED} when the policy has no attempt left, or {@code EXPIRED} when the retry would come
 * after the deadline. The wait is at least what the provider named ({@code retryNotBefore}).
 */
public class ScheduleRetryDelegate implements JavaDelegate {

    private final DeliverySteps steps;
    private final DeployedModels models;
    private final Clock clock;
    private final RandomGenerator random;

    public ScheduleRetryDelegate(DeliverySteps steps, DeployedModels models, Clock clock, RandomGenerator random) {
        this.steps = steps;
        this.models = models;
        this.clock = clock;
        this.random = random;
    }

    @Override
    public void execute(DelegateExecution execution) {
        String name = RETRY_POLICY.get(execution);
        String step = models.steps(execution.getProcessDefinitionId()).retryPolicy();
        if (step != null) {
            name = step;
            RETRY_POLICY.set(execution, name);
        }
        BackoffPolicy policy = models.policies().policy(name);
        int failures = FAILURES.require(execution);
        String last = REASON.get(execution);
        if (!policy.allowsAnotherAttempt(failures)) {
            steps.end(execution, Outcome.DROPPED, "gave up after " + failures + " failed attempts (retry policy " + name + "), last: " + last);
            return;
        }
        Long previous = LAST_BACKOFF_MILLIS.get(execution);
        Duration delay = policy.delay(failures, previous == null ? null : Duration.ofMillis(previous), random);
        Instant at = clock.instant().plus(delay);
        Instant notBefore = RETRY_NOT_BEFORE.get(execution);
        if (notBefore != null && notBefore.isAfter(at)) {
            at = notBefore;
        }
        Instant deadline = DEADLINE.get(execution);
        if (deadline != null && at.isAfter(deadline)) {
            steps.end(execution, Outcome.EXPIRED, "retry at " + at + " would come after the deadline " + deadline + " (" + last + ")");
            return;
        }
        LAST_BACKOFF_MILLIS.set(execution, delay.toMillis());
        Integer status = HTTP_STATUS.get(execution);
        String cause = status == null || status == 0 ? WaitReason.NO_RESPONSE : status.toString();
        WAIT_REASON.set(execution, WaitReason.of(cause, "back-off " + delay.toMillis() + " ms after failed attempt "
                + failures + " (retry policy " + name + "): " + last));
        RETRY_AT.set(execution, at);
        SLOT.set(execution, Slot.RETRY);
    }
}
