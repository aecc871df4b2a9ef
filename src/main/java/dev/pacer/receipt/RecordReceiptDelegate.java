package dev.pacer.receipt;

import dev.pacer.delivery.DeliverySteps;
import dev.pacer.delivery.MessageRef;
import dev.pacer.flow.DecisionTables;
import dev.pacer.flow.Outcome;
import dev.pacer.flow.Processes;
import dev.pacer.metrics.DeliveryStats;
import dev.pacer.provider.ProviderAccount;
import dev.pacer.provider.Providers;
import dev.pacer.suppression.SuppressionList;
import dev.pacer.throttle.Pacer;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import static dev.pacer.flow.MessageVariables.CAMPAIGN_ID;
import static dev.pacer.flow.MessageVariables.OUTCOME;
import static dev.pacer.flow.MessageVariables.PROVIDER;
import static dev.pacer.flow.MessageVariables.REASON;
import static dev.pacer.flow.MessageVariables.RECEIPT_CODE;
import static dev.pacer.flow.MessageVariables.RECEIPT_DELIVERED;
import static dev.pacer.flow.MessageVariables.RECEIPT_DESCRIPTION;
import static dev.pacer.flow.MessageVariables.RECEIPT_RESENDS;
import static dev.pacer.flow.MessageVariables.TO;

/**
 * The record-receipt step: what the message's receipt means, by the receipt rules
 * ({@code classify-receipt}), and what the sending does about it. Delivered and failed end the
 * message. A carrier's daily cap holds the account until the cap resets (midnight in
 * {@code daily-cap-reset-zone}); a carrier's volume limit or queue cuts the account's pace as a 429
 * does; either way the message is sent again, once. Spam filtering fails the message and counts
 * toward its campaign's filtered share, which pauses the campaign once it passes the ratio; an
 * opt-out fails it and suppresses the number. No receipt in time: it stays accepted, said so.
 */
public class RecordReceiptDelegate implements JavaDelegate {

    private static final Logger log = LoggerFactory.getLogger(RecordReceiptDelegate.class);

    /**
     * @param filteredPauseRatio the share of a campaign's receipts filtered as spam that pauses it
     * @param filteredMinimum    receipts a campaign must have before its share counts
     * @param volumeWait         how long an account holds after a receipt tells of a carrier's volume limit
     */
    public record Settings(Duration timeout, double filteredPauseRatio, int filteredMinimum, Duration volumeWait) {
    }

    private final DeliverySteps steps;
    private final DecisionTables rules;
    private final Providers providers;
    private final Pacer pacer;
    private final SuppressionList suppression;
    private final CampaignReceipts campaigns;
    private final DeliveryStats stats;
    private final Clock clock;
    private final Settings settings;

    public RecordReceiptDelegate(DeliverySteps steps, DecisionTables rules, Providers providers, Pacer pacer, SuppressionList suppression,
                                 CampaignReceipts campaigns, DeliveryStats stats, Clock clock, Settings settings) {
        this.steps = steps;
        this.rules = rules;
        this.providers = providers;
        this.pacer = pacer;
        this.suppression = suppression;
        this.campaigns = campaigns;
        this.stats = stats;
        this.clock = clock;
        this.settings = settings;
    }

    @Override
    public void execute(DelegateExecution execution) {
        Boolean delivered = RECEIPT_DELIVERED.get(execution);
        if (delivered == null) {
            stats.receipt("none");
            REASON.set(execution, "no receipt within " + settings.timeout());
            return;
        }
        ProviderAccount account = providers.account(PROVIDER.require(execution));
        String code = RECEIPT_CODE.get(execution);
        Map<String, Object> rule = rules.firstRule(Processes.CLASSIFY_RECEIPT, "provider", account.type(), "delivered", delivered,
                "errorCode", code);
        String cls = (String) rule.getOrDefault("receiptClass", delivered ? "DELIVERED" : "FAILED");
        String reason = (code == null ? "" : code + " ") + rule.getOrDefault("meaning", "") + describe(RECEIPT_DESCRIPTION.get(execution));
        RECEIPT_DELIVERED.remove(execution);
        stats.receipt(cls.toLowerCase(java.util.Locale.ROOT));
        String campaignId = CAMPAIGN_ID.get(execution);
        if (campaignId != null) {
            filteredShare(execution, campaignId, cls.equals("FILTERED"));
        }
        switch (cls) {
            case "DELIVERED" -> steps.end(execution, Outcome.DELIVERED, null);
            case "OPTED_OUT" -> {
                suppression.add(TO.require(execution), account.name() + " receipt " + code + ": " + reason.trim());
                steps.end(execution, Outcome.FAILED, reason.trim());
            }
            case "DAILY_CAP" -> {
                Instant reset = nextMidnight(account);
                pacer.rateLimited(account.scope(), clock.instant(), Duration.between(clock.instant(), reset), OptionalDouble.empty(),
                        OptionalLong.empty(), true);
                log.warn("{}: a carrier's daily cap is reached ({}); holding the account until {}", account.name(), reason.trim(), reset);
                sendAgainOnce(execution, reason.trim() + "; the account holds until the cap resets at " + reset);
            }
            case "VOLUME" -> {
                pacer.rateLimited(account.scope(), clock.instant(), settings.volumeWait(), OptionalDouble.empty(), OptionalLong.empty(), false);
                sendAgainOnce(execution, reason.trim() + "; the account's pace is cut");
            }
            default -> steps.end(execution, Outcome.FAILED, reason.trim());
        }
    }

    /** Sends the message again unless it has been sent again after a receipt before: then it fails. */
    private void sendAgainOnce(DelegateExecution execution, String reason) {
        int resends = RECEIPT_RESENDS.get(execution, 0);
        if (resends >= 1) {
            steps.end(execution, Outcome.FAILED, reason + " (sent again once already)");
            return;
        }
        RECEIPT_RESENDS.set(execution, resends + 1);
        // back into the delivery, which paces it again
        OUTCOME.set(execution, Outcome.PENDING);
        REASON.set(execution, reason + ": sent again");
    }

    /** Counts the receipt toward its campaign's filtered share, pausing the campaign when the share passes the ratio. */
    private void filteredShare(DelegateExecution execution, String campaignId, boolean filtered) {
        CampaignReceipts.Counts counts = campaigns.count(campaignId, filtered);
        if (filtered && counts.receipts() >= settings.filteredMinimum()
                && counts.filtered() > settings.filteredPauseRatio() * counts.receipts()) {
            String reason = String.format(java.util.Locale.ROOT, "%d of %d receipts (%.1f%%) say the carriers filtered messages as spam, "
                    + "over pacer.receipts.filtered-pause-ratio %.1f%%: check the text and the sender's registration, then resume",
                    counts.filtered(), counts.receipts(), 100.0 * counts.filtered() / counts.receipts(), 100 * settings.filteredPauseRatio());
            log.warn("pausing campaign {}: {}", campaignId, reason);
            steps.pauseCampaign(MessageRef.of(execution), reason);
        }
    }

    private Instant nextMidnight(ProviderAccount account) {
        ZoneId zone = ZoneId.of(account.settings().dailyCapResetZone());
        return LocalDate.ofInstant(clock.instant(), zone).plusDays(1).atStartOfDay(zone).toInstant();
    }

    private static String describe(String description) {
        return description == null || description.isBlank() ? "" : " (" + description + ")";
    }
}
