package dev.pacer.flow;

import dev.pacer.throttle.Priority;

import java.time.Instant;

/**
 * The variables of a {@code delivery} instance: what a caller gives (through the process API or the
 * campaign's dispatch step), what the steps keep, and what the audit reads back from history.
 */
public final class MessageVariables {

    // given
    /** The provider account it goes through. */
    public static final Variable<String> PROVIDER = Variable.text("provider");
    /** The account a message goes through once when its provider certainly did not take it; removed once it has. */
    public static final Variable<String> FALLBACK_PROVIDER = Variable.text("fallbackProvider");
    public static final Variable<String> FROM = Variable.text("from");
    public static final Variable<String> TO = Variable.text("to");
    public static final Variable<String> TEXT = Variable.text("text");
    /** {@code bulk} or {@code realtime}, in any case; kept as the constant's name. */
    public static final Variable<Priority> PRIORITY = Variable.constant("priority", Priority::parse);
    /** The deadline: given as a date or an ISO-8601 instant; kept as a date. */
    public static final Variable<Instant> DEADLINE = Variable.instant("deadline");
    /** A time to live (ISO-8601 duration), instead of a deadline. */
    public static final Variable<String> TTL = Variable.text("ttl");
    /** The campaign instance that dispatched it; absent for a message submitted on its own. */
    public static final Variable<String> CAMPAIGN_ID = Variable.text("campaignId");
    /** The campaign's own cap, segments per minute. */
    public static final Variable<Integer> CAMPAIGN_RATE = Variable.integer("campaignRate");
    /** The send window ({@link dev.pacer.sms.SendWindow} form), in the recipient's time. */
    public static final Variable<String> SEND_WINDOW = Variable.text("sendWindow");
    /** The recipient's time zone, when the number's own are not to be used. */
    public static final Variable<String> TIMEZONE = Variable.text("timezone");
    /** What a send in doubt that the provider cannot settle does ({@link OnDoubt}); {@code skip} when absent. */
    public static final Variable<OnDoubt> ON_DOUBT = Variable.constant("onDoubt", OnDoubt::parse);

    // kept by the steps
    /** The time zones the send window is read in, comma-separated. */
    public static final Variable<String> TIME_ZONES = Variable.text("timeZones");
    public static final Variable<Integer> SEGMENTS = Variable.integer("segments");
    public static final Variable<Instant> SUBMITTED_AT = Variable.instant("submittedAt");
    /** The deadline boundary timer's due time: the deadline, or the longest a message may live. */
    public static final Variable<Instant> EXPIRES_AT = Variable.instant("expiresAt");
    public static final Variable<Outcome> OUTCOME = Variable.constant("outcome", Outcome.class);
    /** Why it ended as it did, or why its last attempt failed. */
    public static final Variable<String> REASON = Variable.text("reason");
    public static final Variable<Slot> SLOT = Variable.constant("slot", Slot.class);
    /** The pacer's generation of the slot granted: a pause since voids it. */
    public static final Variable<Long> SLOT_GENERATION = Variable.number("slotGeneration");
    /** A queued bulk message's place in its scope's queue. */
    public static final Variable<Long> TICKET = Variable.number("ticket");
    /** When the slot reserved comes, or when a queued message asks again ({@code Timer_WaitSlot}). */
    public static final Variable<Instant> SLOT_AT = Variable.timer("slotAt");
    /** When the message may try again after a 429 or a transient failure ({@code Timer_RetryAfter}, {@code Timer_Backoff}). */
    public static final Variable<Instant> RETRY_AT = Variable.timer("retryAt");
    /** When the recipient's send window opens ({@code Timer_SendWindow}). */
    public static final Variable<Instant> WINDOW_OPENS_AT = Variable.timer("windowOpensAt");
    /** Send attempts, failed attempts (transient) and 429s so far. */
    public static final Variable<Integer> ATTEMPTS = Variable.integer("attempts");
    public static final Variable<Integer> FAILURES = Variable.integer("failures");
    public static final Variable<Integer> RATE_LIMITED = Variable.integer("rateLimited");
    public static final Variable<String> PROVIDER_MESSAGE_ID = Variable.text("providerMessageId");
    /** What the response rules made of the last answer. */
    public static final Variable<ResponseClass> RESPONSE_CLASS = Variable.constant("responseClass", ResponseClass.class);
    /** The last answer's HTTP status, 0 for none (the retry policy decision reads it). */
    public static final Variable<Integer> HTTP_STATUS = Variable.integer("status");
    public static final Variable<String> ERROR_CODE = Variable.text("errorCode");
    /** The back-off policy the rules chose for the last transient failure ({@code retry-policy}). */
    public static final Variable<String> RETRY_POLICY = Variable.text("retryPolicy");
    /** The least wait the provider named with a transient failure (a 503's Retry-After). */
    public static final Variable<Instant> RETRY_NOT_BEFORE = Variable.instant("retryNotBefore");
    public static final Variable<Long> LAST_BACKOFF_MILLIS = Variable.number("lastBackoffMillis");
    public static final Variable<Long> RATE_LIMIT_WAITED_MILLIS = Variable.number("rateLimitWaitedMillis");
    /** The last send attempt's record; history keeps every one. */
    public static final Variable<String> ATTEMPT = Variable.text("attempt");
    /** The send in doubt, its key in the send ledger ({@code PACER_SEND}). */
    public static final Variable<String> SEND_KEY = Variable.text("sendKey");
    /** When the settle step asks the provider about the send in doubt ({@code Timer_Settle}). */
    public static final Variable<Instant> SETTLE_AT = Variable.timer("settleAt");
    /** How many times the provider was asked about the send in doubt. */
    public static final Variable<Integer> LOOKUPS = Variable.integer("lookups");
    /** How the last send in doubt was settled ({@link Doubt}); absent when no send was in doubt. */
    public static final Variable<Doubt> DOUBT = Variable.constant("doubt", Doubt.class);
    /** Why the message waits next, when it is not the pace ({@link WaitReason}); history keeps every one. */
    public static final Variable<String> WAIT_REASON = Variable.text("waitReason");

    // receipts (pacer.receipts.enabled)
    /** Whether the flow waits for the message's receipt ({@link ReceiptState}), once the provider took it. */
    public static final Variable<ReceiptState> RECEIPT = Variable.constant("receipt", ReceiptState.class);
    /** When the wait for the receipt gives up ({@code Timer_NoReceipt}). */
    public static final Variable<Instant> RECEIPT_DUE_AT = Variable.timer("receiptDueAt");
    /** What the receipt said: delivered or not, the provider's code and description (absent until one came). */
    public static final Variable<Boolean> RECEIPT_DELIVERED = Variable.flag("receiptDelivered");
    public static final Variable<String> RECEIPT_CODE = Variable.text("receiptCode");
    public static final Variable<String> RECEIPT_DESCRIPTION = Variable.text("receiptDescription");
    /** Times the message was sent again after a receipt said a carrier limit stopped it (at most once). */
    public static final Variable<Integer> RECEIPT_RESENDS = Variable.integer("receiptResends");

    private MessageVariables() {
    }
}
