package dev.pacer.system;

import dev.pacer.provider.MessageSender;
import dev.pacer.provider.OutgoingMessage;
import dev.pacer.provider.SendResult;
import dev.pacer.retry.BackoffPolicy;
import dev.pacer.throttle.Grant;
import dev.pacer.throttle.Pacer;
import dev.pacer.throttle.Priority;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The send step: checks the slot is still good, sends through the provider route and records what
 * happened. A 429 pauses the whole scope and raises the BPMN error {@code RATE_LIMITED}; a transient
 * failure raises {@code TRANSIENT} while attempts remain. Either way {@code wakeAt} holds when to
 * try again, and a retry that would come after the deadline ends the message {@code EXPIRED} instead.
 */
public class SendDelegate implements JavaDelegate {

    static final String RATE_LIMITED = "RATE_LIMITED";
    static final String TRANSIENT = "TRANSIENT";
    private static final Logger log = LoggerFactory.getLogger(SendDelegate.class);

    private final Pacer pacer;
    private final Providers providers;
    private final MessageSender sender;
    private final BackoffPolicy backoff;
    private final DeliveryStats stats;
    private final Clock clock;
    private final RandomGenerator random;
    private final Duration inFlightWait;

    /** @param inFlightWait how long a send waits for one of the scope's in-flight places before it steps back */
    SendDelegate(Pacer pacer, Providers providers, MessageSender sender, BackoffPolicy backoff, DeliveryStats stats,
                 Clock clock, RandomGenerator random, Duration inFlightWait) {
        this.inFlightWait = inFlightWait;
        this.pacer = pacer;
        this.providers = providers;
        this.sender = sender;
        this.backoff = backoff;
        this.stats = stats;
        this.clock = clock;
        this.random = random;
    }

    @Override
    public void execute(DelegateExecution execution) throws InterruptedException {
        Instant now = clock.instant();
        Date deadlineDate = (Date) execution.getVariable(Vars.DEADLINE);
        Instant deadline = deadlineDate == null ? null : deadlineDate.toInstant();
        if (deadline != null && !now.isBefore(deadline)) {
            end(execution, Outcome.EXPIRED, "the deadline " + deadline + " passed before the send");
            return;
        }
        String provider = (String) execution.getVariable(Vars.PROVIDER);
        String scope = providers.endpoint(provider).scope();
        int segments = (Integer) execution.getVariable(Vars.SEGMENTS);
        Object slotGeneration = execution.getVariable(Vars.SLOT_GENERATION);
        long generation = slotGeneration == null ? -1 : (Long) slotGeneration;
        Optional<Duration> hold = pacer.holdOff(scope, generation);
        if (hold.isPresent()) {
            // The scope was paused after this slot was granted: no request goes out inside the wait.
            retryAt(execution, now.plus(hold.get()), deadline, RATE_LIMITED, "scope " + scope + " is paused");
            return;
        }
        if (!pacer.enter(scope, inFlightWait)) {
            // The slot goes unused: give it back, or the slot taken on the way round is paid for twice.
            pacer.release(scope, new Grant(true, now, generation), segments);
            retryAt(execution, now, deadline, RATE_LIMITED, "scope " + scope + " has its maximum of requests in flight");
            return;
        }
        SendResult result;
        try {
            result = sender.send(new OutgoingMessage(execution.getProcessBusinessKey(), provider,
                    (String) execution.getVariable(Vars.FROM), (String) execution.getVariable(Vars.TO),
                    (String) execution.getVariable(Vars.TEXT), segments,
                    Priority.valueOf((String) execution.getVariable(Vars.PRIORITY)), deadline));
        } finally {
            pacer.exit(scope);
        }
        stats.attempts.increment();
        execution.setVariable(Vars.ATTEMPTS, (Integer) execution.getVariable(Vars.ATTEMPTS) + 1);
        switch (result.kind()) {
            case ACCEPTED -> {
                if (result.segmentCount() != null) {
                    execution.setVariable(Vars.SEGMENTS, result.segmentCount());
                }
                stats.acceptedSegments.add(result.segmentCount() != null ? result.segmentCount() : segments);
                execution.setVariable(Vars.PROVIDER_MESSAGE_ID, result.providerMessageId());
                end(execution, Outcome.ACCEPTED, null);
            }
            case REJECTED -> end(execution, Outcome.REJECTED, result.reason());
            case RATE_LIMITED -> {
                stats.rateLimited.increment();
                execution.setVariable(Vars.RATE_LIMITED, (Integer) execution.getVariable(Vars.RATE_LIMITED) + 1);
                Instant until = pacer.pause(scope, result.retryWait());
                log.info("429 from {}: pausing the scope until {} ({})", scope, until, result.reason());
                retryAt(execution, until, deadline, RATE_LIMITED, result.reason());
            }
            case TRANSIENT -> {
                stats.transientFailures.increment();
                int failures = (Integer) execution.getVariable(Vars.FAILURES) + 1;
                execution.setVariable(Vars.FAILURES, failures);
                if (!backoff.allowsAnotherAttempt(failures)) {
                    end(execution, Outcome.DROPPED, "gave up after " + failures + " failed attempts, last: " + result.reason());
                } else {
                    Duration delay = backoff.delay(failures, random);
                    if (result.retryWait() != null && result.retryWait().compareTo(delay) > 0) {
                        delay = result.retryWait();
                    }
                    retryAt(execution, now.plus(delay), deadline, TRANSIENT, result.reason());
                }
            }
        }
    }

    private void retryAt(DelegateExecution execution, Instant at, Instant deadline, String error, String reason) {
        if (deadline != null && at.isAfter(deadline)) {
            end(execution, Outcome.EXPIRED, "retry at " + at + " would come after the deadline " + deadline + " (" + reason + ")");
            return;
        }
        execution.setVariable(Vars.WAKE_AT, Date.from(at));
        execution.setVariable(Vars.SLOT, ThrottleDelegate.RETRY);
        stats.retrying.increment();
        throw new BpmnError(error, reason);
    }

    private static void end(DelegateExecution execution, Outcome outcome, String reason) {
        execution.setVariable(Vars.OUTCOME, outcome.name());
        if (reason != null) {
            execution.setVariable(Vars.REASON, reason);
        }
    }
}
