package dev.pacer.system;

/** Names of the process variables the flows and their delegates share. */
final class Vars {
    // campaign process
    static final String CAMPAIGN = "campaign";
    static final String CAMPAIGN_DIR = "campaignDir";
    static final String ROWS = "rows";
    static final String DUPLICATES = "duplicates";
    static final String FIRST_ROWS = "firstRows";
    static final String CURSOR = "cursor";
    static final String POSITION = "position";
    static final String STARTED_AT = "startedAt";
    static final String ALL_DONE = "allDone";
    static final String REPORT = "report";
    static final String STATE = "state";
    static final String CANCELLED_UNSENT = "cancelledUndispatched";

    // delivery process
    static final String PROVIDER = "provider";
    static final String FROM = "from";
    static final String TO = "to";
    static final String TEXT = "text";
    static final String SEGMENTS = "segments";
    static final String PRIORITY = "priority";
    static final String DEADLINE = "deadline";
    static final String TTL = "ttl";
    static final String EXPIRES_AT = "expiresAt";
    static final String CAMPAIGN_ID = "campaignId";
    static final String SEND_WINDOW = "sendWindow";
    static final String TIMEZONE = "timezone";
    static final String TIME_ZONES = "timeZones";
    static final String SUBMITTED_AT = "submittedAt";
    static final String OUTCOME = "outcome";
    static final String REASON = "reason";
    static final String SLOT = "slot";
    static final String SLOT_GENERATION = "slotGeneration";
    static final String TICKET = "ticket";
    static final String WAKE_AT = "wakeAt";
    static final String ATTEMPTS = "attempts";
    static final String FAILURES = "failures";
    static final String RATE_LIMITED = "rateLimited";
    static final String PROVIDER_MESSAGE_ID = "providerMessageId";
    static final String CAMPAIGN_RATE = "campaignRate";
    static final String RESPONSE_CLASS = "responseClass";
    static final String HTTP_STATUS = "status";
    static final String ERROR_CODE = "errorCode";
    static final String RETRY_POLICY = "retryPolicy";
    static final String RETRY_NOT_BEFORE = "retryNotBefore";
    static final String LAST_BACKOFF = "lastBackoffMillis";
    static final String RATE_LIMIT_WAITED = "rateLimitWaitedMillis";
    /** The last send attempt's record ({@link dev.pacer.audit.Attempt}); history keeps every one. */
    static final String ATTEMPT = "attempt";
    /** Why the message waits next, when it is not the pace ({@link dev.pacer.audit.WaitReason}); history keeps every one. */
    static final String WAIT_REASON = "waitReason";

    private Vars() {
    }

    /**
     * A wake-up time for a timer: rounded up to the millisecond, since timers keep milliseconds and
     * one rounded down would fire before its time and ask again in a loop.
     */
    static java.util.Date wakeAt(java.time.Instant at) {
        java.time.Instant ms = at.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        return java.util.Date.from(ms.equals(at) ? ms : ms.plusMillis(1));
    }
}
