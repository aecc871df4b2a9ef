package dev.pacer.delivery;

import dev.pacer.flow.Attempt;
import dev.pacer.flow.CampaignState;
import dev.pacer.flow.Outcome;
import dev.pacer.flow.Processes;
import dev.pacer.flow.ResponseClass;
import dev.pacer.flow.Slot;
import dev.pacer.flow.WaitReason;
import dev.pacer.metrics.DeliveryStats;
import dev.pacer.provider.MessageSender;
import dev.pacer.provider.OutgoingMessage;
import dev.pacer.provider.ProviderAccount;
import dev.pacer.provider.Providers;
import dev.pacer.provider.SendResult;
import dev.pacer.receipt.Receipts;
import dev.pacer.suppression.SuppressionList;
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
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import static dev.pacer.flow.MessageVariables.ATTEMPT;
import static dev.pacer.flow.MessageVariables.CAMPAIGN_ID;
import static dev.pacer.flow.MessageVariables.ATTEMPTS;
import static dev.pacer.flow.MessageVariables.DEADLINE;
import static dev.pacer.flow.MessageVariables.ERROR_CODE;
import static dev.pacer.flow.MessageVariables.FAILURES;
import static dev.pacer.flow.MessageVariables.FALLBACK_PROVIDER;
import static dev.pacer.flow.MessageVariables.FROM;
import static dev.pacer.flow.MessageVariables.HTTP_STATUS;
import static dev.pacer.flow.MessageVariables.LOOKUPS;
import static dev.pacer.flow.MessageVariables.PRIORITY;
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
import static dev.pacer.flow.MessageVariables.SLOT_AT;
import static dev.pacer.flow.MessageVariables.SLOT_GENERATION;
import static dev.pacer.flow.MessageVariables.TEXT;
import static dev.pacer.flow.MessageVariables.TO;
import static dev.pacer.flow.MessageVariables.WAIT_REASON;

/**
 * The send step: checks the slot is still good, sends through the provider route, lets the
 * response rules ({@code classify-response}) say what the answer means, and feeds it back to the
 * pacer. A 429 pauses the scope it belongs to and raises the BPMN error {@code RATE_LIMITED}, with
 * {@code retryAt} at the end of the pause; a transient failure raises {@code TRANSIENT}, and the
 * flow's retry policy takes it from there. Rate-limit waits are not failed attempts: they have
 * their own budget, and a message whose budget or deadline they would overrun ends without waiting.
 * A provider that is down (no answer or server errors to send after send) holds its scope, and the
 * message waits for the probe that finds it back, spending no attempt; a provider that refuses the
 * account pauses the message's campaign.
 */
public class SendDelegate implements JavaDelegate {

    private static final Logger log = LoggerFactory.getLogger(SendDelegate.class);
    /** The response rules' layer of a refusal for too many requests at once (Twilio's 20429). */
    static final String IN_FLIGHT_LAYER = "in-flight";

    /**
     * @param inFlightWait    how long a send waits for one of the scope's in-flight places before it steps back
     * @param rateLimitBudget the most one message spends waiting on 429s in all
     * @param lateSlot        how late after its slot a send may still go; later, it asks for a new one
     * @param settleAfter     how long after a send whose answer was lost the provider is asked whether it has it
     */
    public record Settings(Duration inFlightWait, Duration rateLimitBudget, Duration lateSlot, Duration settleAfter) {
    }

    private final DeliverySteps steps;
    private final Pacer pacer;
    private final Providers providers;
    private final MessageSender sender;
    private final SendLedger ledger;
    private final Receipts receipts;
    private final ResponseRules rules;
    private final SuppressionList suppression;
    private final DeliveryStats stats;
    private final Clock clock;
    private final Settings settings;

    public SendDelegate(DeliverySteps steps, Pacer pacer, Providers providers, MessageSender sender, SendLedger ledger, Receipts receipts,
                        ResponseRules rules, SuppressionList suppression, DeliveryStats stats, Clock clock, Settings settings) {
        this.receipts = receipts;
        this.steps = steps;
        this.pacer = pacer;
        this.providers = providers;
        this.sender = sender;
        this.ledger = ledger;
        this.rules = rules;
        this.suppression = suppression;
        this.stats = stats;
        this.clock = clock;
        this.settings = settings;
    }

    @Override
    public void execute(DelegateExecution execution) throws InterruptedException {
        Instant now = clock.instant();
        Instant deadline = DEADLINE.get(execution);
        String sendKey = SendLedger.key(SendLedger.messageOf(execution), ATTEMPTS.get(execution, 0) + 1);
        Optional<SendLedger.Entry> earlier = ledger.find(sendKey);
        if (earlier.isPresent()) {
            // this step ran before and its transaction never committed (the node stopped, the commit failed)
            resume(execution, earlier.get(), now, deadline);
            return;
        }
        if (deadline != null && !now.isBefore(deadline)) {
            steps.end(execution, Outcome.EXPIRED, "the deadline " + deadline + " passed before the send");
            return;
        }
        String to = TO.require(execution);
        List<String> scopes = steps.scopes(execution);
        int segments = SEGMENTS.require(execution);
        Priority priority = PRIORITY.require(execution);
        long generation = SLOT_GENERATION.get(execution, -1L);
        Instant slotAt = SLOT_AT.get(execution);
        Grant slot = new Grant(true, slotAt == null ? now : slotAt, generation, -1);
        if (suppression.contains(to)) {
            // the number opted out while the message waited
            pacer.release(scopes, slot, segments);
            steps.end(execution, Outcome.SUPPRESSED, to + " is on the suppression list");
            return;
        }
        if (steps.campaignState(execution) != CampaignState.RUNNING || (slotAt != null && now.isBefore(slotAt))) {
            // paused or cancelled since the slot was granted (or woken before its slot): no new send
            // starts; the pacing step decides what the message does
            pacer.release(scopes, slot, segments);
            SLOT.set(execution, Slot.RESLOT);
            return;
        }
        if (slotAt != null && now.isAfter(slotAt.plus(settings.lateSlot()))) {
            // woken long after its slot (the database was away, the node restarted): the sends that
            // were held up all at once would be a burst, so it asks for a slot at the pace again
            SLOT.set(execution, Slot.RESLOT);
            return;
        }
        Optional<Duration> hold = pacer.holdOff(scopes, generation, priority, segments);
        if (hold.isPresent() && hold.get().isZero()) {
            // the slot was voided by a pause that is over, or a real-time send took it: ask again now
            SLOT.set(execution, Slot.RESLOT);
            return;
        }
        if (hold.isPresent()) {
            // A scope was paused after this slot was granted: no request goes out inside the wait.
            retryAt(execution, now.plus(hold.get()), deadline, WaitReason.SCOPE_HELD,
                    "a scope of this send is held (after a 429, or while its provider is down)");
            return;
        }
        if (!pacer.enter(scopes, settings.inFlightWait())) {
            // The slot goes unused: give it back, or the slot taken on the way round is paid for twice.
            pacer.release(scopes, slot, segments);
            retryAt(execution, now, deadline, WaitReason.IN_FLIGHT, "a scope of this send has its maximum of requests in flight");
            return;
        }
        ProviderAccount account = providers.account(PROVIDER.require(execution));
        Instant sentAt = clock.instant();
        Optional<SendLedger.Entry> raced = ledger.begin(sendKey, SendLedger.messageOf(execution), account.name(), FROM.require(execution), to, sentAt);
        if (raced.isPresent()) {
            // another node runs this step's job as well (its lock ran out): the send is that one's
            pacer.exit(scopes);
            pacer.release(scopes, slot, segments);
            resume(execution, raced.get(), now, deadline);
            return;
        }
        SendResult result;
        try {
            result = sender.send(new OutgoingMessage(execution.getProcessBusinessKey(), account.name(), FROM.require(execution),
                    to, TEXT.require(execution), segments, priority, deadline));
        } finally {
            pacer.exit(scopes);
        }
        if (result.lost()) {
            Optional<Instant> probe = Optional.empty();
            if (result.status() == 0) {
                probe = pacer.failed(account.scope());
            } else {
                pacer.answered(account.scope());
            }
            inDoubt(execution, sendKey, result, sentAt, probe.orElse(now));
            return;
        }
        ledger.answer(sendKey, result, clock.instant());
        answered(execution, result, account, scopes, segments, sentAt, now, deadline);
    }

    /**
     * This step's send was recorded before, by a run of its job that never committed: its answer is
     * used when it was recorded too, and nothing is sent again; otherwise the send is in doubt.
     */
    private void resume(DelegateExecution execution, SendLedger.Entry earlier, Instant now, Instant deadline) {
        if (!earlier.answered()) {
            inDoubt(execution, earlier.key(), SendResult.lost(0, "unfinished", "the send went out from " + earlier.node()
                    + " and no answer was recorded (the node stopped, or its job failed, first)"), earlier.startedAt(), now);
            return;
        }
        log.info("send {} was answered before its job failed to commit: its answer stands, nothing is sent again", earlier.key());
        answered(execution, earlier.answer(), providers.account(earlier.provider()), steps.scopes(execution), SEGMENTS.require(execution),
                earlier.startedAt(), now, deadline);
    }

    /**
     * The answer was lost: the provider may have the message. Nothing is sent again before the
     * settle step has asked it, at {@code settleAt}, no sooner than {@code notBefore} (a provider
     * that is down is asked once it is probed back).
     */
    private void inDoubt(DelegateExecution execution, String sendKey, SendResult result, Instant sentAt, Instant notBefore) {
        record(execution, result, ResponseClass.IN_DOUBT, sentAt);
        stats.inDoubt();
        SEND_KEY.set(execution, sendKey);
        LOOKUPS.set(execution, 0);
        Instant settleAt = clock.instant().plus(settings.settleAfter());
        SETTLE_AT.set(execution, notBefore.isAfter(settleAt) ? notBefore : settleAt);
        WAIT_REASON.set(execution, WaitReason.of(WaitReason.IN_DOUBT, result.reason()));
        log.warn("send {} is in doubt ({}): asking {} at {}", sendKey, result.reason(), PROVIDER.require(execution), SETTLE_AT.get(execution));
        throw new BpmnError(Processes.IN_DOUBT, result.reason());
    }

    /** What the answer means, by the response rules, for this message and the pacer. */
    private void answered(DelegateExecution execution, SendResult result, ProviderAccount account, List<String> scopes, int segments,
                          Instant sentAt, Instant now, Instant deadline) {
        String to = TO.require(execution);
        if (result.status() == 429) {
            pacer.hold(scopes, result.retryWait() == null ? Duration.ZERO : result.retryWait());
        }
        ResponseRules.Classification rule = rules.classify(account.type(), result);
        record(execution, result, rule.responseClass(), sentAt);
        if (rule.responseClass() == ResponseClass.TRANSIENT && (result.status() == 0 || result.status() >= 500)) {
            Optional<Instant> probe = pacer.failed(account.scope());
            String fallback = FALLBACK_PROVIDER.get(execution);
            if (fallback != null && (probe.isPresent() || result.status() == 0 || result.status() == 503)) {
                // certainly not taken (no connection, an outage, or down after repeated server errors): the
                // fallback account sends it, once; an answer that was lost never comes here (it is in doubt)
                failOver(execution, account, fallback, result);
                return;
            }
            if (probe.isPresent()) {
                // the provider is down: the message waits for it to come back, spending no attempt
                stats.transientFailure();
                retryAt(execution, probe.get(), deadline, WaitReason.PROVIDER_DOWN, account.name() + " gives no answer or server errors "
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
                receipts.accepted(execution, account.name(), result.providerMessageId());
                steps.end(execution, Outcome.ACCEPTED, null);
            }
            case PERMANENT -> {
                if (rule.suppress()) {
                    suppression.add(to, account.name() + " error " + result.errorCode() + ": " + result.reason());
                }
                steps.end(execution, Outcome.REJECTED, result.reason());
            }
            case RATE_LIMITED -> rateLimited(execution, result, rule.limitLayer(), account, sentAt, now, deadline);
            case ACCOUNT -> accountRefused(execution, account, result);
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
    private void failOver(DelegateExecution execution, ProviderAccount primary, String fallback, SendResult result) {
        String reason = primary.name() + " did not take it (" + result.reason() + "): sending through " + fallback;
        log.warn("message {}: {}", execution.getProcessBusinessKey(), reason);
        stats.failedOver();
        PROVIDER.set(execution, fallback);
        FALLBACK_PROVIDER.remove(execution);
        WAIT_REASON.set(execution, WaitReason.of(WaitReason.FAILOVER, reason));
        REASON.set(execution, reason);
        SLOT.set(execution, Slot.RESLOT);
    }

    /** The attempt's record for the trail, and what the retry policy decision reads. */
    private void record(DelegateExecution execution, SendResult result, ResponseClass responseClass, Instant sentAt) {
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
    private void accountRefused(DelegateExecution execution, ProviderAccount account, SendResult result) {
        String reason = account.name() + " refused the account (" + result.reason() + "): check pacer.providers." + account.name()
                + "'s credentials and permissions, then resume the campaign";
        String campaignId = CAMPAIGN_ID.get(execution);
        if (campaignId == null) {
            steps.end(execution, Outcome.REJECTED, reason);
            return;
        }
        log.warn("pausing campaign {}: {}", campaignId, reason);
        steps.pauseCampaign(execution, reason);
        // back to the pacing step, which finds the campaign paused: the message waits for the resume
        SLOT.set(execution, Slot.RESLOT);
    }

    private void rateLimited(DelegateExecution execution, SendResult result, String layer, ProviderAccount account,
                             Instant sentAt, Instant now, Instant deadline) {
        stats.rateLimited();
        RATE_LIMITED.set(execution, RATE_LIMITED.get(execution, 0) + 1);
        if (IN_FLIGHT_LAYER.equals(layer)) {
            // too many requests at once, none processed: fewer in flight from now, and this one goes again
            int places = pacer.tooManyInFlight(account.scope(), sentAt);
            log.info("{} refused a request for too many in flight: {} places open now, {} in flight ({})", account.name(), places,
                    pacer.view(account.scope()).inFlight(), result.reason());
            retryAt(execution, result.retryWait() == null ? now : now.plus(result.retryWait()), deadline, WaitReason.IN_FLIGHT,
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
        retryAt(execution, until, deadline, WaitReason.RATE_LIMITED, "pausing " + scope + " until " + until + " (" + result.reason() + ")");
    }

    private void retryAt(DelegateExecution execution, Instant at, Instant deadline, String cause, String reason) {
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
