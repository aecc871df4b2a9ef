package dev.pacer.delivery;

import dev.pacer.flow.Attempt;
import dev.pacer.flow.Outcome;
import dev.pacer.flow.Processes;
import dev.pacer.flow.ResponseClass;
import dev.pacer.flow.Slot;
import dev.pacer.flow.WaitReason;
import dev.pacer.metrics.DeliveryStats;
import dev.pacer.provider.ProviderAccount;
import dev.pacer.provider.SendResult;
import dev.pacer.receipt.Receipts;
import dev.pacer.suppression.SuppressionList;
import dev.pacer.throttle.Pacer;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.VariableScope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import static dev.pacer.flow.MessageVariables.ATTEMPT;
import static dev.pacer.flow.MessageVariables.ATTEMPTS;
import static dev.pacer.flow.MessageVariables.CAMPAIGN_ID;
import static dev.pacer.flow.MessageVariables.ERROR_CODE;
import static dev.pacer.flow.MessageVariables.FAILURES;
import static dev.pacer.flow.MessageVariables.FALLBACK_PROVIDER;
import static dev.pacer.flow.MessageVariables.FROM;
import static dev.pacer.flow.MessageVariables.HTTP_STATUS;
import static dev.pacer.flow.MessageVariables.LOOKUPS;
import static dev.pacer.flow.MessageVariables.PROVIDER;
import static dev.pacer.flow.MessageVariables.PROVIDER_MESSAGE_ID;
import static dev.pacer.flow.MessageVariables.RATE_LIMITED;
import static dev.pacer.flow.MessageVariables.RATE_LIMIT_WAITED_MILLIS;
import static dev.pacer.flow.MessageVariables.REASON;
import static dev.pacer.flow.MessageVariables.RESPONSE_CLASS;
import static dev.pacer.flow.MessageVariables.RETRY_AT;
import static dev.pacer.flow.MessageVariables.RETRY_NOT_BEFORE;
import static dev.pacer.flow.MessageVariables.SEGMENTS;
import static dev.pacer.flow.MessageVariables.SEND_KEY;
import static dev.pacer.flow.MessageVariables.SETTLE_AT;
import static dev.pacer.flow.MessageVariables.SLOT;
import static dev.pacer.flow.MessageVariables.TO;
import static dev.pacer.flow.MessageVariables.WAIT_REASON;

/**
 * What a send's answer means for its message and for the pacer, whether the message is a
 * {@code delivery} instance's or one of a campaign's batch: the response rules
 * ({@code classify-response}) say what the answer is, and the message's variables (its outcome, or
 * its {@code slot}) or a BPMN error say what it does next. A 429 pauses the scope it belongs to and
 * raises {@code RATE_LIMITED} with {@code retryAt} at the end of the pause; a transient failure
 * raises {@code TRANSIENT}, and the flow's retry policy takes it from there; a lost answer raises
 * {@code IN_DOUBT}. Rate-limit waits are not failed attempts: they have their own budget, and a
 * message whose budget or deadline they would overrun ends without waiting. A provider that is down
 * holds its scope, and the message waits for the probe that finds it back, spending no attempt; a
 * provider that refuses the account pauses the message's campaign.
 */
public class SendAnswers {

    private static final Logger log = LoggerFactory.getLogger(SendAnswers.class);
    /** The response rules' layer of a refusal for too many requests at once (Twilio's 20429). */
    static final String IN_FLIGHT_LAYER = "in-flight";

    /**
     * @param rateLimitBudget the most one message spends waiting on 429s in all
     * @param settleAfter     how long after a send whose answer was lost the provider is asked whether it has it
     */
    public record Settings(Duration rateLimitBudget, Duration settleAfter) {
    }

    private final DeliverySteps steps;
    private final Pacer pacer;
    private final Receipts receipts;
    private final ResponseRules rules;
    private final SuppressionList suppression;
    private final DeliveryStats stats;
    private final Clock clock;
    private final Settings settings;

    public SendAnswers(DeliverySteps steps, Pacer pacer, Receipts receipts, ResponseRules rules, SuppressionList suppression,
                       DeliveryStats stats, Clock clock, Settings settings) {
        this.steps = steps;
        this.pacer = pacer;
        this.receipts = receipts;
        this.rules = rules;
        this.suppression = suppression;
        this.stats = stats;
        this.clock = clock;
        this.settings = settings;
    }

    /**
     * The answer was lost: the provider may have the message. Nothing is sent again before the
     * settle step has asked it, at {@code settleAt}, no sooner than {@code notBefore} (a provider
     * that is down is asked once it is probed back).
     */
    public void inDoubt(MessageRef message, String sendKey, SendResult result, Instant sentAt, Instant notBefore) {
        VariableScope execution = message.vars();
        record(message, result, ResponseClass.IN_DOUBT, sentAt);
        stats.inDoubt();
        SEND_KEY.set(execution, sendKey);
        LOOKUPS.set(execution, 0);
        Instant settleAt = clock.instant().plus(settings.settleAfter());
        SETTLE_AT.set(execution, notBefore.isAfter(settleAt) ? notBefore : settleAt);
        WAIT_REASON.set(execution, WaitReason.of(WaitReason.IN_DOUBT, result.reason()));
        log.warn("send {} is in doubt ({}): asking {} at {}", sendKey, result.reason(), PROVIDER.require(execution), SETTLE_AT.get(execution));
        throw new BpmnError(Processes.IN_DOUBT, result.reason());
    }

    /**
     * Whether the answer holds every scope of its send for its wait: a 429, unless the rules say it
     * refused too many requests at once (Twilio's 20429), which takes in-flight places, not time.
     */
    public boolean holdsScopes(ProviderAccount account, SendResult result) {
        return result.status() == 429 && holdsScopes(result, rules.classify(account.type(), result));
    }

    private static boolean holdsScopes(SendResult result, ResponseRules.Classification rule) {
        return result.status() == 429 && !IN_FLIGHT_LAYER.equals(rule.limitLayer());
    }

    /**
     * What the answer means, by the response rules, for this message and the pacer.
     *
     * @param inFlightBeside the account's requests in flight beside this one when its answer came, or
     *                       null to count them now (the send step hears its answer at once; a batch later)
     */
    public void answered(MessageRef message, SendResult result, ProviderAccount account, List<String> scopes, int segments,
                         Instant sentAt, Instant now, Instant deadline, Integer inFlightBeside) {
        VariableScope execution = message.vars();
        String to = TO.require(execution);
        ResponseRules.Classification rule = rules.classify(account.type(), result);
        if (holdsScopes(result, rule)) {
            pacer.hold(scopes, result.retryWait() == null ? Duration.ZERO : result.retryWait());
        }
        record(message, result, rule.responseClass(), sentAt);
        if (rule.responseClass() == ResponseClass.TRANSIENT && (result.status() == 0 || result.status() >= 500)) {
            Optional<Instant> probe = pacer.failed(account.scope());
            String fallback = FALLBACK_PROVIDER.get(execution);
            if (fallback != null && (probe.isPresent() || result.status() == 0 || result.status() == 503)) {
                // certainly not taken (no connection, an outage, or down after repeated server errors): the
                // fallback account sends it, once; an answer that was lost never comes here (it is in doubt)
                failOver(message, account, fallback, result);
                return;
            }
            if (probe.isPresent()) {
                // the provider is down: the message waits for it to come back, spending no attempt
                stats.transientFailure();
                retryAt(message, probe.get(), deadline, WaitReason.PROVIDER_DOWN, account.name() + " gives no answer or server errors "
                        + "to every send; probing it at " + probe.get() + " (" + result.reason() + ")");
                return;
            }
        } else {
            pacer.answered(account.scope());
        }
        if (result.quota() != null) {
            pacer.observe(account.scopeOf(account.rateLimitHeaders(), FROM.require(execution)), result.quota());
        }
        switch (rule.responseClass()) {
            case ACCEPTED -> {
                int taken = result.segmentCount() != null ? result.segmentCount() : segments;
                SEGMENTS.set(execution, taken);
                pacer.accepted(scopes, taken);
                stats.accepted(taken);
                PROVIDER_MESSAGE_ID.set(execution, result.providerMessageId());
                REASON.remove(execution);
                receipts.accepted(message, account, result.providerMessageId());
                steps.end(execution, Outcome.ACCEPTED, null);
            }
            case PERMANENT -> {
                if (rule.suppress()) {
                    suppression.add(to, account.name() + " error " + result.errorCode() + ": " + result.reason());
                }
                steps.end(execution, Outcome.REJECTED, result.reason());
            }
            case RATE_LIMITED -> rateLimited(message, result, rule.limitLayer(), account, sentAt, now, deadline, inFlightBeside);
            case ACCOUNT -> accountRefused(message, account, result);
            case TRANSIENT -> {
                stats.transientFailure();
                FAILURES.set(execution, FAILURES.get(execution, 0) + 1);
                REASON.set(execution, result.reason());
                Instant notBefore = now;
                if (result.retryWait() != null) {
                    // A 503 that says when to come back speaks for the service, not this message alone.
                    notBefore = pacer.pause(account.scope(), result.retryWait());
                }
                RETRY_NOT_BEFORE.set(execution, notBefore);
                throw new BpmnError(Processes.TRANSIENT, result.reason());
            }
        }
    }

    /**
     * Moves the message to its fallback account, once, and back to the pacing step, which gives it a
     * slot in the fallback's scopes; the attempt just recorded shows the primary's answer.
     */
    private void failOver(MessageRef message, ProviderAccount primary, String fallback, SendResult result) {
        VariableScope execution = message.vars();
        String reason = primary.name() + " did not take it (" + result.reason() + "): sending through " + fallback;
        log.warn("message {}: {}", message.key(), reason);
        stats.failedOver();
        PROVIDER.set(execution, fallback);
        FALLBACK_PROVIDER.remove(execution);
        WAIT_REASON.set(execution, WaitReason.of(WaitReason.FAILOVER, reason));
        REASON.set(execution, reason);
        SLOT.set(execution, Slot.RESLOT);
    }

    /** The attempt's record for the trail, and what the retry policy decision reads. */
    private void record(MessageRef message, SendResult result, ResponseClass responseClass, Instant sentAt) {
        VariableScope execution = message.vars();
        stats.attempted();
        int attempt = ATTEMPTS.get(execution, 0) + 1;
        ATTEMPTS.set(execution, attempt);
        ATTEMPT.set(execution, new Attempt(attempt, sentAt, Duration.between(sentAt, clock.instant()).toMillis(),
                result.status(), responseClass.name(), result.errorType(), result.errorCode(), result.reason(),
                result.providerMessageId(), result.retryWait() == null ? null : result.retryWait().toMillis(),
                result.stated() == null ? null : result.stated().messagesPerMinute(), PROVIDER.get(execution)).toJson());
        RESPONSE_CLASS.set(execution, responseClass);
        HTTP_STATUS.set(execution, result.status());
        ERROR_CODE.set(execution, result.errorCode());
    }

    /**
     * The provider refused the account: its campaign pauses itself with the reason (every other
     * message would be refused too) and this message waits for the resume, when it is tried again.
     */
    private void accountRefused(MessageRef message, ProviderAccount account, SendResult result) {
        VariableScope execution = message.vars();
        String reason = account.name() + " refused the account (" + result.reason() + "): check pacer.providers." + account.name()
                + "'s credentials and permissions, then resume the campaign";
        String campaignId = CAMPAIGN_ID.get(execution);
        if (campaignId == null) {
            steps.end(execution, Outcome.REJECTED, reason);
            return;
        }
        log.warn("pausing campaign {}: {}", campaignId, reason);
        steps.pauseCampaign(message, reason);
        // back to the pacing step, which finds the campaign paused: the message waits for the resume
        SLOT.set(execution, Slot.RESLOT);
    }

    private void rateLimited(MessageRef message, SendResult result, String layer, ProviderAccount account,
                             Instant sentAt, Instant now, Instant deadline, Integer inFlightBeside) {
        VariableScope execution = message.vars();
        stats.rateLimited();
        RATE_LIMITED.set(execution, RATE_LIMITED.get(execution, 0) + 1);
        if (IN_FLIGHT_LAYER.equals(layer)) {
            // too many requests at once, none processed: fewer in flight from now, and this one goes again
            int places = pacer.tooManyInFlight(account.scope(), sentAt, inFlightBeside);
            log.info("{} refused a request for too many in flight: {} places open now, {} in flight ({})", account.name(), places,
                    pacer.view(account.scope()).inFlight(), result.reason());
            retryAt(message, result.retryWait() == null ? now : now.plus(result.retryWait()), deadline, WaitReason.IN_FLIGHT,
                    account.name() + " had too many requests in flight; " + places + " from now (" + result.reason() + ")");
            return;
        }
        String scope = account.scopeOf("headers".equals(layer) ? account.rateLimitHeaders() : layer, FROM.require(execution));
        Duration wait = result.retryWait() != null ? result.retryWait() : Duration.ZERO;
        OptionalDouble statedRate = result.stated() == null ? OptionalDouble.empty() : OptionalDouble.of(result.stated().messagesPerMinute());
        OptionalLong statedCapacity = result.stated() == null || result.stated().capacity() == 0
                ? OptionalLong.empty() : OptionalLong.of(result.stated().capacity());
        // A 429 the rate-limit headers explain (the window's quota is spent) is waited out, not a reason to slow down.
        Instant until = pacer.rateLimited(scope, sentAt, wait, statedRate, statedCapacity, result.quotaSpent());
        log.info("429 from {}: pausing it until {} ({})", scope, until, result.reason());
        stats.scopePaused(scope, until, result.reason());
        long waited = RATE_LIMIT_WAITED_MILLIS.get(execution, 0L) + Duration.between(now, until).toMillis();
        RATE_LIMIT_WAITED_MILLIS.set(execution, waited);
        if (waited > settings.rateLimitBudget().toMillis()) {
            steps.end(execution, Outcome.DROPPED, "rate-limit waits of " + Duration.ofMillis(waited) + " would exceed the budget of "
                    + settings.rateLimitBudget() + " (" + result.reason() + ")");
            return;
        }
        retryAt(message, until, deadline, WaitReason.RATE_LIMITED, "pausing " + scope + " until " + until + " (" + result.reason() + ")");
    }

    public void retryAt(MessageRef message, Instant at, Instant deadline, String cause, String reason) {
        VariableScope execution = message.vars();
        if (deadline != null && at.isAfter(deadline)) {
            steps.end(execution, Outcome.EXPIRED, "retry at " + at + " would come after the deadline " + deadline + " (" + reason + ")");
            return;
        }
        WAIT_REASON.set(execution, WaitReason.of(cause, reason));
        RETRY_AT.set(execution, at);
        SLOT.set(execution, Slot.RETRY);
        throw new BpmnError(Processes.RATE_LIMITED, reason);
    }
}
