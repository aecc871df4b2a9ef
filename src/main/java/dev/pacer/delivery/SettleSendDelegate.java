package dev.pacer.delivery;

import dev.pacer.flow.Doubt;
import dev.pacer.flow.OnDoubt;
import dev.pacer.flow.Outcome;
import dev.pacer.flow.Slot;
import dev.pacer.flow.WaitReason;
import dev.pacer.metrics.DeliveryStats;
import dev.pacer.provider.Lookup;
import dev.pacer.provider.ProviderAccount;
import dev.pacer.provider.Providers;
import dev.pacer.provider.SendInDoubt;
import dev.pacer.provider.SentMessages;
import dev.pacer.throttle.Pacer;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import static dev.pacer.flow.MessageVariables.DOUBT;
import static dev.pacer.flow.MessageVariables.HTTP_STATUS;
import static dev.pacer.flow.MessageVariables.LOOKUPS;
import static dev.pacer.flow.MessageVariables.ON_DOUBT;
import static dev.pacer.flow.MessageVariables.PROVIDER_MESSAGE_ID;
import static dev.pacer.flow.MessageVariables.REASON;
import static dev.pacer.flow.MessageVariables.SEGMENTS;
import static dev.pacer.flow.MessageVariables.SEND_KEY;
import static dev.pacer.flow.MessageVariables.SETTLE_AT;
import static dev.pacer.flow.MessageVariables.SLOT;
import static dev.pacer.flow.MessageVariables.WAIT_REASON;

/**
 * The settle step of a send in doubt ({@code Task_Settle}): asks the provider whether it has the
 * message. It has: the message ends {@code ACCEPTED} with the provider's id. It has none: the
 * message is sent again ({@code slot} {@code RESLOT}). It cannot tell: it is asked again later, up
 * to {@code lookups} times (not counting the times the provider is down); then the message's
 * {@code onDoubt} policy decides: {@code skip} ends it {@code IN_DOUBT}, {@code resend} sends it again.
 * A send whose answer came with a 2xx but was cut short was taken whatever the provider's list says:
 * the search is for its id only. Every way it goes is kept in {@code doubt}.
 */
public class SettleSendDelegate implements JavaDelegate {

    private static final Logger log = LoggerFactory.getLogger(SettleSendDelegate.class);

    /**
     * @param settleAfter how long after the send the provider is first asked (its list may lag), and
     *                    then between two askings, doubled each time
     * @param lookups     how many times the provider is asked before the policy decides
     * @param onDoubt     the policy of a message that names none
     */
    public record Settings(Duration settleAfter, int lookups, OnDoubt onDoubt) {
    }

    private final DeliverySteps steps;
    private final SendLedger ledger;
    private final SentMessages provider;
    private final Providers providers;
    private final Pacer pacer;
    private final DeliveryStats stats;
    private final Clock clock;
    private final Settings settings;

    public SettleSendDelegate(DeliverySteps steps, SendLedger ledger, SentMessages provider, Providers providers, Pacer pacer,
                              DeliveryStats stats, Clock clock, Settings settings) {
        this.steps = steps;
        this.ledger = ledger;
        this.provider = provider;
        this.providers = providers;
        this.pacer = pacer;
        this.stats = stats;
        this.clock = clock;
        this.settings = settings;
    }

    @Override
    public void execute(DelegateExecution execution) {
        String key = SEND_KEY.require(execution);
        SendLedger.Entry send = ledger.find(key).orElseThrow(() -> new IllegalStateException("the send in doubt " + key + " is not in "
                + SendLedger.TABLE));
        Lookup found = provider.find(new SendInDoubt(send.provider(), send.from(), send.to(), send.startedAt()));
        int status = HTTP_STATUS.get(execution, 0);
        boolean tookIt = status >= 200 && status < 300;
        switch (found.found()) {
            case YES -> {
                PROVIDER_MESSAGE_ID.set(execution, found.providerMessageId());
                settled(execution, Doubt.SENT, "its answer was lost; the provider has it: " + found.detail());
                accepted(execution);
            }
            case NO -> {
                if (tookIt) {
                    acceptedWithoutId(execution, status, found);
                    return;
                }
                settled(execution, Doubt.NOT_SENT, "its answer was lost; the provider has no such message (" + found.detail() + "): sent again");
                SLOT.set(execution, Slot.RESLOT);
            }
            case UNKNOWN -> cannotTell(execution, send, found, tookIt);
        }
    }

    private void cannotTell(DelegateExecution execution, SendLedger.Entry send, Lookup found, boolean tookIt) {
        ProviderAccount account = providers.account(send.provider());
        boolean down = pacer.view(account.scope()).down();
        int asked = LOOKUPS.get(execution, 0) + (down ? 0 : 1);
        if (asked < settings.lookups()) {
            // ask again later; a provider that is down does not spend a lookup
            LOOKUPS.set(execution, asked);
            Instant at = clock.instant().plus(settings.settleAfter().multipliedBy(1L << Math.min(asked, 10)));
            SETTLE_AT.set(execution, at);
            WAIT_REASON.set(execution, WaitReason.of(WaitReason.IN_DOUBT, account.name() + " cannot tell yet (" + found.detail()
                    + "); asking again at " + at));
            SLOT.set(execution, Slot.RETRY);
            return;
        }
        if (tookIt) {
            acceptedWithoutId(execution, HTTP_STATUS.get(execution, 0), found);
            return;
        }
        OnDoubt policy = ON_DOUBT.get(execution, settings.onDoubt());
        String why = "its answer was lost and " + account.name() + " could not tell whether it has it after " + asked + " searches ("
                + found.detail() + ")";
        if (policy == OnDoubt.RESEND) {
            settled(execution, Doubt.RESENT, why + ": sent again (onDoubt resend)");
            SLOT.set(execution, Slot.RESLOT);
        } else {
            settled(execution, Doubt.SKIPPED, why + ": not sent again (onDoubt skip)");
            steps.end(execution, Outcome.IN_DOUBT, REASON.get(execution));
        }
    }

    /** The provider answered 2xx and took it, but the answer that names it was cut short, and the list has not its id. */
    private void acceptedWithoutId(DelegateExecution execution, int status, Lookup found) {
        settled(execution, Doubt.SENT, "the provider took it (" + status + ") but its answer was cut short; its id is "
                + "unknown (" + found.detail() + ")");
        accepted(execution);
    }

    private void accepted(DelegateExecution execution) {
        stats.accepted(SEGMENTS.require(execution));
        steps.end(execution, Outcome.ACCEPTED, REASON.get(execution));
    }

    private void settled(DelegateExecution execution, Doubt how, String reason) {
        DOUBT.set(execution, how);
        REASON.set(execution, reason);
        stats.settled(how);
        log.info("send {} in doubt settled {}: {}", SEND_KEY.get(execution), how, reason);
        SEND_KEY.remove(execution);
    }
}
