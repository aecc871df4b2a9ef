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
 * The send step: checks the slot is still good, records the send in the ledger, sends through the
 * provider route, and lets {@link SendAnswers} say what the answer means. The checks, the request
 * and the answer are separate so that a campaign's batch ({@link BatchDelivery}) sends the same way.
 */
public class SendDelegate implements JavaDelegate {

    private static final Logger log = LoggerFactory.getLogger(SendDelegate.class);

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
    private final DailyQuotas quotas;
    private final SuppressionList suppression;
    private final SendAnswers answers;
    private final Clock clock;
    private final Settings settings;

    public SendDelegate(DeliverySteps steps, Pacer pacer, Providers providers, MessageSender sender, SendLedger ledger, DailyQuotas quotas,
                        Receipts receipts, ResponseRules rules, SuppressionList suppression, DeliveryStats stats, Clock clock,
                        Settings settings) {
        this.steps = steps;
        this.pacer = pacer;
        this.providers = providers;
        this.sender = sender;
        this.ledger = ledger;
        this.quotas = quotas;
        this.suppression = suppression;
        this.answers = new SendAnswers(steps, pacer, receipts, rules, suppression, stats, clock,
                new SendAnswers.Settings(settings.rateLimitBudget(), settings.settleAfter()));
        this.clock = clock;
        this.settings = settings;
    }

    /** A message whose slot is good, with an in-flight place taken in each of its scopes: its request may go. */
    public record Ready(ProviderAccount account, List<String> scopes, int segments, Grant slot, Instant now, Instant deadline) {
    }

    /** What the answers of this step's sends mean, for the batches that send as this step does. */
    public SendAnswers answers() {
        return answers;
    }

    @Override
    public void execute(DelegateExecution execution) throws InterruptedException {
        MessageRef message = MessageRef.of(execution);
        Instant now = clock.instant();
        String sendKey = sendKey(message);
        Optional<SendLedger.Entry> earlier = ledger.find(sendKey);
        if (earlier.isPresent()) {
            // this step ran before and its transaction never committed (the node stopped, the commit failed)
            resume(message, earlier.get(), now);
            return;
        }
        Optional<Ready> ready = ready(message, steps.scopes(execution), now);
        if (ready.isEmpty()) {
            return;
        }
        Ready r = ready.get();
        Instant sentAt = clock.instant();
        Optional<SendLedger.Entry> raced = ledger.begin(sendKey, message.key(), r.account().name(), FROM.require(execution),
                TO.require(execution), sentAt);
        if (raced.isPresent()) {
            // another node runs this step's job as well (its lock ran out): the send is that one's
            pacer.exit(r.scopes());
            pacer.release(r.scopes(), r.slot(), r.segments());
            quotas.giveBack(r.account(), DailyQuotas.units(providers.api(r.account()).accountUnit(), r.segments()));
            resume(message, raced.get(), now);
            return;
        }
        SendResult result;
        try {
            result = sender.send(outgoing(message, r));
        } finally {
            pacer.exit(r.scopes());
        }
        answer(message, r, sendKey, result, sentAt);
    }

    /** The key in the ledger of the message's next send. */
    public static String sendKey(MessageRef message) {
        return SendLedger.key(message.key(), ATTEMPTS.get(message.vars(), 0) + 1);
    }

    /** The request of a message found {@linkplain #ready ready}. */
    public static OutgoingMessage outgoing(MessageRef message, Ready r) {
        VariableScope vars = message.vars();
        return new OutgoingMessage(message.key(), r.account().name(), FROM.require(vars), TO.require(vars), TEXT.require(vars),
                r.segments(), PRIORITY.require(vars), r.deadline());
    }

    /**
     * Checks that the message may be sent now, in its slot: not expired, not suppressed, its campaign
     * running, its slot neither early nor long past, no scope held since the slot was granted, and an
     * in-flight place in each scope (taken; the caller {@linkplain Pacer#exit gives it back} after the
     * request). Otherwise the message's variables say what it does instead (its {@code slot}, or its
     * outcome), or a BPMN error does, and the result is empty.
     */
    public Optional<Ready> ready(MessageRef message, List<String> scopes, Instant now) throws InterruptedException {
        VariableScope execution = message.vars();
        Instant deadline = DEADLINE.get(execution);
        if (deadline != null && !now.isBefore(deadline)) {
            steps.end(execution, Outcome.EXPIRED, "the deadline " + deadline + " passed before the send");
            return Optional.empty();
        }
        String to = TO.require(execution);
        int segments = SEGMENTS.require(execution);
        Priority priority = PRIORITY.require(execution);
        long generation = SLOT_GENERATION.get(execution, -1L);
        Instant slotAt = SLOT_AT.get(execution);
        Grant slot = new Grant(true, slotAt == null ? now : slotAt, generation, -1);
        if (suppression.contains(to)) {
            // the number opted out while the message waited
            pacer.release(scopes, slot, segments);
            steps.end(execution, Outcome.SUPPRESSED, to + " is on the suppression list");
            return Optional.empty();
        }
        if (steps.campaignState(message) != CampaignState.RUNNING || (slotAt != null && now.isBefore(slotAt))) {
            // paused or cancelled since the slot was granted (or woken before its slot): no new send
            // starts; the pacing step decides what the message does
            pacer.release(scopes, slot, segments);
            SLOT.set(execution, Slot.RESLOT);
            return Optional.empty();
        }
        if (slotAt != null && now.isAfter(slotAt.plus(settings.lateSlot()))) {
            // woken long after its slot (the database was away, the node restarted): the sends that
            // were held up all at once would be a burst, so it asks for a slot at the pace again
            SLOT.set(execution, Slot.RESLOT);
            return Optional.empty();
        }
        Optional<Duration> hold = pacer.holdOff(scopes, generation, priority, segments);
        if (hold.isPresent() && hold.get().isZero()) {
            // the slot was voided by a pause that is over, or a real-time send took it: ask again now
            SLOT.set(execution, Slot.RESLOT);
            return Optional.empty();
        }
        if (hold.isPresent()) {
            // A scope was paused after this slot was granted: no request goes out inside the wait.
            answers.retryAt(message, now.plus(hold.get()), deadline, WaitReason.SCOPE_HELD,
                    "a scope of this send is held (after a 429, or while its provider is down)");
            return Optional.empty();
        }
        ProviderAccount account = providers.account(PROVIDER.require(execution));
        int units = DailyQuotas.units(providers.api(account).accountUnit(), segments);
        Optional<Instant> renewed = quotas.take(account, units);
        if (renewed.isPresent()) {
            // the account's daily quota is spent: it holds until the day ends, and no send goes into the carriers' cap
            pacer.release(scopes, slot, segments);
            pacer.rateLimited(account.scope(), now, Duration.between(now, renewed.get()), OptionalDouble.empty(), OptionalLong.empty(), true);
            answers.retryAt(message, renewed.get(), deadline, WaitReason.DAILY_QUOTA, account.name() + "'s daily quota of "
                    + account.settings().dailyQuota() + " is spent; it is renewed at " + renewed.get());
            return Optional.empty();
        }
        if (!pacer.enter(scopes, settings.inFlightWait())) {
            // The slot goes unused: give it back, or the slot taken on the way round is paid for twice.
            pacer.release(scopes, slot, segments);
            quotas.giveBack(account, units);
            answers.retryAt(message, now, deadline, WaitReason.IN_FLIGHT, "a scope of this send has its maximum of requests in flight");
            return Optional.empty();
        }
        Optional<Duration> heldMeanwhile = pacer.paused(scopes);
        if (heldMeanwhile.isPresent()) {
            // a 429 came back while this send waited for its place in flight: no request goes out inside the wait
            pacer.exit(scopes);
            quotas.giveBack(account, units);
            answers.retryAt(message, clock.instant().plus(heldMeanwhile.get()), deadline, WaitReason.SCOPE_HELD,
                    "a scope of this send was held while it waited for a place in flight (after a 429)");
            return Optional.empty();
        }
        return Optional.of(new Ready(account, scopes, segments, slot, now, deadline));
    }

    /** Records the send's answer in the ledger (unless it was lost), then does what it {@linkplain #answered means}. */
    public void answer(MessageRef message, Ready r, String sendKey, SendResult result, Instant sentAt) {
        if (!result.lost()) {
            ledger.answer(sendKey, result, clock.instant());
        }
        answered(message, r, sendKey, result, sentAt, null);
    }

    /**
     * What the send's answer means, once the ledger has it: the message's variables say what it
     * does next, or a BPMN error does ({@code IN_DOUBT} for a lost answer).
     */
    public void answered(MessageRef message, Ready r, String sendKey, SendResult result, Instant sentAt, Integer inFlightBeside) {
        if (result.lost()) {
            Optional<Instant> probe = Optional.empty();
            if (result.status() == 0) {
                probe = pacer.failed(r.account().scope());
            } else {
                pacer.answered(r.account().scope());
            }
            answers.inDoubt(message, sendKey, result, sentAt, probe.orElse(r.now()));
            return;
        }
        answers.answered(message, result, r.account(), r.scopes(), r.segments(), sentAt, r.now(), r.deadline(), inFlightBeside);
    }

    /**
     * This step's send was recorded before, by a run of its job that never committed: its answer is
     * used when it was recorded too, and nothing is sent again; otherwise the send is in doubt.
     */
    public void resume(MessageRef message, SendLedger.Entry earlier, Instant now) {
        VariableScope execution = message.vars();
        Instant deadline = DEADLINE.get(execution);
        if (!earlier.answered()) {
            answers.inDoubt(message, earlier.key(), SendResult.lost(0, "unfinished", "the send went out from " + earlier.node()
                    + " and no answer was recorded (the node stopped, or its job failed, first)"), earlier.startedAt(), now);
            return;
        }
        log.info("send {} was answered before its job failed to commit: its answer stands, nothing is sent again", earlier.key());
        answers.answered(message, earlier.answer(), providers.account(earlier.provider()), steps.scopes(execution, message.key()),
                SEGMENTS.require(execution), earlier.startedAt(), now, deadline, null);
    }
}
