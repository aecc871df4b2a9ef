package dev.pacer.flow;

import java.util.Set;

/**
 * The names {@code bpmn/} and Java share besides activities and variables: process and decision
 * keys, BPMN message names, BPMN error codes, and how a campaign's messages are keyed.
 */
public final class Processes {

    /** One message's delivery: {@code bpmn/delivery.bpmn}. */
    public static final String DELIVERY = "delivery";
    /** One campaign: {@code bpmn/campaign.bpmn}. */
    public static final String CAMPAIGN = "campaign";

    /** The decision that classifies a provider's answer ({@code bpmn/response-rules.dmn}). */
    public static final String CLASSIFY_RESPONSE = "classify-response";

    /** The decision that chooses a transient failure's retry policy ({@code bpmn/response-rules.dmn}). */
    public static final String RETRY_POLICY = "retry-policy";
    /** The table of retry policies: intervals, attempts, jitter ({@code bpmn/response-rules.dmn}). */
    public static final String RETRY_POLICIES = "retry-policies";

    /**
     * The inputs Java evaluates its own decisions with (see {@code ResponseRules}, {@code RecordReceiptDelegate});
     * a decision a business rule task evaluates reads the flow's variables instead.
     */
    public static final java.util.Map<String, Set<String>> DECISION_INPUTS = java.util.Map.of(
            "classify-response", Set.of("provider", "status", "errorType", "errorCode", "quotaSpent"),
            "classify-receipt", Set.of("provider", "delivered", "errorCode"),
            "retry-policies", Set.of("policy"));

    /** The decision that classifies a delivery receipt ({@code bpmn/response-rules.dmn}). */
    public static final String CLASSIFY_RECEIPT = "classify-receipt";
    /** The BPMN message a message's delivery receipt wakes it with ({@code Event_Receipt}). */
    public static final String RECEIPT = "receipt";

    /** BPMN messages to a campaign instance. */
    public static final String PAUSE = "pauseCampaign";
    public static final String RESUME = "resumeCampaign";
    public static final String CANCEL = "cancelCampaign";
    /** The BPMN message that wakes a campaign's messages waiting while it was paused. */
    public static final String RESUMED = "campaignResumed";

    /** BPMN errors the send step throws: a 429 (or any wait before the next try), and a transient failure. */
    public static final String RATE_LIMITED = "RATE_LIMITED";
    public static final String TRANSIENT = "TRANSIENT";
    /** The BPMN error of a send whose answer was lost: the provider may have the message. */
    public static final String IN_DOUBT = "IN_DOUBT";

    /**
     * The beans the models may name ({@code ${throttle}}, {@code ${sendMessage}}...): the delegates
     * and the listener. Expressions in a model see these and no other.
     */
    public static final Set<String> BEANS = Set.of("prepareMessage", "throttle", "sendMessage", "settleSend", "scheduleRetry", "recordExpiry",
            "messageFinished", "messageLane", "validateCampaign", "dispatchMessages", "compileReport", "pauseCampaign", "resumeCampaign",
            "cancelCampaign", "recordReceipt");

    private Processes() {
    }

    /** The business key prefix every message of campaign instance {@code campaignId} carries: {@code <id>/<row>}. */
    public static String messagePrefix(String campaignId) {
        return campaignId + "/";
    }

    /** A {@code like} pattern that matches the business keys of every message of campaign instance {@code campaignId}. */
    public static String messageKeys(String campaignId) {
        return messagePrefix(campaignId) + "%";
    }

    /** The business key of the message of row {@code row} of campaign instance {@code campaignId}. */
    public static String messageKey(String campaignId, int row) {
        return messagePrefix(campaignId) + row;
    }

    /** The campaign instance id in a message's business key, or null for a message submitted on its own. */
    public static String campaignOf(String messageKey) {
        return messageKey == null || !messageKey.contains("/") ? null : messageKey.substring(0, messageKey.indexOf('/'));
    }

    /** The audience row in a campaign message's business key. */
    public static String rowOf(String messageKey) {
        return messageKey.substring(messageKey.lastIndexOf('/') + 1);
    }
}
