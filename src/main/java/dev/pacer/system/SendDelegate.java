package dev.pacer.system;

import dev.pacer.audit.Attempt;
import dev.pacer.audit.WaitReason;
import dev.pacer.provider.MessageSender;
import dev.pacer.provider.OutgoingMessage;
import dev.pacer.provider.SendResult;
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
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The send step: checks the slot is still good, sends through the provider route, lets the
 * response rules ({@code classify-response}) say what the answer means, and feeds it back to the
 * pacer. A 429 pauses the scope it belongs to and raises the BPMN error {@code RATE_LIMITED}, with
 * {@code wakeAt} at the end of the pause; a transient failure raises {@code TRANSIENT}, and the
 * flow's retry policy takes it from there. Rate-limit waits are not failed attempts: they have
 * their own budget, and a message whose budget or deadline they would overrun ends without waiting.
 */
public class SendDelegate implements JavaDelegate {

    static final String RATE_LIMITED = "RATE_LIMITED";
    static final String TRANSIENT = "TRANSIENT";
    private static final Logger log = LoggerFactory.getLogger(SendDelegate.class);

    private final Pacer pacer;
    private final Providers providers;
    private final MessageSender sender;
    private final DeliveryStats stats;
    private final Clock clock;
    private final Duration inFlightWait;
    private final Duration rateLimitBudget;
    private final CampaignControl control;
    private final SuppressionList suppression;

    /**
     * @param inFlightWait    how long a send waits for one of the scope's in-flight places before it steps back
     * @param rateLimitBudget the most one message spends waiting on 429s in all
     */
    SendDelegate(Pacer pacer, Providers providers, MessageSender sender, DeliveryStats stats, Clock clock,
                 Duration inFlightWait, Duration rateLimitBudget, CampaignControl control, SuppressionList suppression) {
        this.pacer = pacer;
        this.providers = providers;
        this.sender = sender;
        this.stats = stats;
        this.clock = clock;
        this.inFlightWait = inFlightWait;
        this.rateLimitBudget = rateLimitBudget;
        this.control = control;
        this.suppression = suppression;
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
        String from = (String) execution.getVariable(Vars.FROM);
        String to = (String) execution.getVariable(Vars.TO);
        List<String> scopes = ThrottleDelegate.scopes(execution, providers);
        int segments = (Integer) execution.getVariable(Vars.SEGMENTS);
        Priority priority = Priority.valueOf((String) execution.getVariable(Vars.PRIORITY));
        Object slotGeneration = execution.getVariable(Vars.SLOT_GENERATION);
        long generation = slotGeneration == null ? -1 : (Long) slotGeneration;
        Date slotAt = (Date) execution.getVariable(Vars.WAKE_AT);
        Grant slot = new Grant(true, slotAt == null ? now : slotAt.toInstant(), generation, -1);
        if (suppression.contains(to)) {
            // the number opted out while the message waited
            pacer.release(scopes, slot, segments);
            end(execution, Outcome.SUPPRESSED, to + " is on the suppression list");
            return;
        }
        if (ThrottleDelegate.campaignState(execution, control) != CampaignControl.State.RUNNING
                || (slotAt != null && now.isBefore(slotAt.toInstant()))) {
            // paused or cancelled since the slot was granted (or woken before its slot): no new send
            // starts; the pacing step decides what the message does
            pacer.release(scopes, slot, segments);
            execution.setVariable(Vars.SLOT, ThrottleDelegate.RESLOT);
            return;
        }
        Optional<Duration> hold = pacer.holdOff(scopes, generation, priority, segments);
        if (hold.isPresent() && hold.get().isZero()) {
            // the slot was voided by a pause that is over, or a real-time send took it: ask again now
            execution.setVariable(Vars.SLOT, ThrottleDelegate.RESLOT);
            return;
        }
        if (hold.isPresent()) {
            // A scope was paused after this slot was granted: no request goes out inside the wait.
            retryAt(execution, now.plus(hold.get()), deadline, WaitReason.SCOPE_HELD, "a scope of this send is paused after a 429");
            return;
        }
        if (!pacer.enter(scopes, inFlightWait)) {
            // The slot goes unused: give it back, or the slot taken on the way round is paid for twice.
            pacer.release(scopes, slot, segments);
            retryAt(execution, now, deadline, WaitReason.IN_FLIGHT, "a scope of this send has its maximum of requests in flight");
            return;
        }
        Instant sentAt = clock.instant();
        SendResult result;
        try {
            result = sender.send(new OutgoingMessage(execution.getProcessBusinessKey(), provider, from,
                    to, (String) execution.getVariable(Vars.TEXT), segments, priority, deadline));
        } finally {
            pacer.exit(scopes);
        }
        if (result.status() == 429) {
            pacer.hold(scopes, result.retryWait() == null ? Duration.ZERO : result.retryWait());
        }
        stats.attempts.increment();
        int attempt = (Integer) execution.getVariable(Vars.ATTEMPTS) + 1;
        execution.setVariable(Vars.ATTEMPTS, attempt);
        ResponseRules.Classification rule = ResponseRules.classify(execution.getProcessEngineServices(), provider, result);
        execution.setVariable(Vars.ATTEMPT, new Attempt(attempt, sentAt, Duration.between(sentAt, clock.instant()).toMillis(),
                result.status(), rule.responseClass().name(), result.errorType(), result.errorCode(), result.reason(),
                result.providerMessageId(), result.retryWait() == null ? null : result.retryWait().toMillis(),
                result.stated() == null ? null : result.stated().messagesPerMinute()).toJson());
        execution.setVariable(Vars.RESPONSE_CLASS, rule.responseClass().name());
        execution.setVariable(Vars.HTTP_STATUS, result.status());
        execution.setVariable(Vars.ERROR_CODE, result.errorCode());
        ProviderEndpoint endpoint = providers.endpoint(provider);
        if (result.quota() != null) {
            pacer.observe(providers.scopeOf(provider, endpoint.rateLimitHeaders(), from), result.quota());
        }
        switch (rule.responseClass()) {
            case ACCEPTED -> {
                int taken = result.segmentCount() != null ? result.segmentCount() : segments;
                execution.setVariable(Vars.SEGMENTS, taken);
                pacer.accepted(scopes, taken);
                stats.acceptedSegments.add(taken);
                execution.setVariable(Vars.PROVIDER_MESSAGE_ID, result.providerMessageId());
                execution.removeVariable(Vars.REASON);
                end(execution, Outcome.ACCEPTED, null);
            }
            case PERMANENT -> {
                if (rule.suppress()) {
                    suppression.add(to, provider + " error " + result.errorCode() + ": " + result.reason());
                }
                end(execution, Outcome.REJECTED, result.reason());
            }
            case RATE_LIMITED -> rateLimited(execution, result, rule.limitLayer(), endpoint, from, sentAt, now, deadline);
            case TRANSIENT -> {
                stats.transientFailures.increment();
                execution.setVariable(Vars.FAILURES, (Integer) execution.getVariable(Vars.FAILURES) + 1);
                execution.setVariable(Vars.REASON, result.reason());
                Instant notBefore = now;
                if (result.retryWait() != null) {
                    // A 503 that says when to come back speaks for the service, not this message alone.
                    notBefore = pacer.pause(endpoint.scope(), result.retryWait());
                }
                execution.setVariable(Vars.RETRY_NOT_BEFORE, Date.from(notBefore));
                throw new BpmnError(TRANSIENT, result.reason());
            }
        }
    }

    private void rateLimited(DelegateExecution execution, SendResult result, String layer, ProviderEndpoint endpoint,
                             String from, Instant sentAt, Instant now, Instant deadline) {
        stats.rateLimited.increment();
        execution.setVariable(Vars.RATE_LIMITED, (Integer) execution.getVariable(Vars.RATE_LIMITED) + 1);
        String scope = providers.scopeOf(endpoint.name(), "headers".equals(layer) ? endpoint.rateLimitHeaders() : layer, from);
        Duration wait = result.retryWait() != null ? result.retryWait() : Duration.ZERO;
        OptionalDouble statedRate = result.stated() == null ? OptionalDouble.empty() : OptionalDouble.of(result.stated().messagesPerMinute());
        OptionalLong statedCapacity = result.stated() == null || result.stated().capacity() == 0
                ? OptionalLong.empty() : OptionalLong.of(result.stated().capacity());
        // A 429 the rate-limit headers explain (the window's quota is spent) is waited out, not a reason to slow down.
        boolean explained = result.quota() != null && result.quota().remaining() == 0;
        Instant until = pacer.rateLimited(scope, sentAt, wait, statedRate, statedCapacity, explained);
        log.info("429 from {}: pausing it until {} ({})", scope, until, result.reason());
        Object waitedSoFar = execution.getVariable(Vars.RATE_LIMIT_WAITED);
        long waited = (waitedSoFar == null ? 0 : (Long) waitedSoFar) + Duration.between(now, until).toMillis();
        execution.setVariable(Vars.RATE_LIMIT_WAITED, waited);
        if (waited > rateLimitBudget.toMillis()) {
            end(execution, Outcome.DROPPED, "rate-limit waits of " + Duration.ofMillis(waited) + " would exceed the budget of "
                    + rateLimitBudget + " (" + result.reason() + ")");
            return;
        }
        retryAt(execution, until, deadline, WaitReason.RATE_LIMITED, "pausing " + scope + " until " + until + " (" + result.reason() + ")");
    }

    private void retryAt(DelegateExecution execution, Instant at, Instant deadline, String cause, String reason) {
        if (deadline != null && at.isAfter(deadline)) {
            end(execution, Outcome.EXPIRED, "retry at " + at + " would come after the deadline " + deadline + " (" + reason + ")");
            return;
        }
        execution.setVariable(Vars.WAIT_REASON, WaitReason.of(cause, reason));
        execution.setVariable(Vars.WAKE_AT, Vars.wakeAt(at));
        execution.setVariable(Vars.SLOT, ThrottleDelegate.RETRY);
        throw new BpmnError(RATE_LIMITED, reason);
    }

    static void end(DelegateExecution execution, Outcome outcome, String reason) {
        execution.setVariable(Vars.SLOT, ThrottleDelegate.END);
        execution.setVariable(Vars.OUTCOME, outcome.name());
        if (reason != null) {
            execution.setVariable(Vars.REASON, reason);
        }
    }
}
