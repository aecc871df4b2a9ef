package dev.pacer.flow;

/**
 * Why a message waits, when it is not the plain pace: the process variable {@code waitReason},
 * {@code "<cause>: <detail>"}, set right before the wait. The causes the report counts retries by
 * are {@link #RATE_LIMITED}, {@link #SCOPE_HELD}, {@link #IN_FLIGHT} and, for a back-off, the failed
 * attempt's HTTP status (or {@link #NO_RESPONSE}).
 */
public final class WaitReason {

    public static final String RATE_LIMITED = "429";
    public static final String SCOPE_HELD = "scope held";
    public static final String IN_FLIGHT = "in-flight limit";
    public static final String NO_RESPONSE = "no response";
    /** The provider is down (its circuit is open): the message waits for a probe to get an answer. */
    public static final String PROVIDER_DOWN = "provider down";
    /** A send's answer was lost: the message waits to ask the provider whether it has it. */
    public static final String IN_DOUBT = "in doubt";
    /** The provider certainly did not take it: the message waits for a slot of its fallback account. */
    public static final String FAILOVER = "failover";
    public static final String SEND_WINDOW = "send window";
    public static final String PAUSED = "campaign paused";
    /** The account's daily quota is spent: the message waits for the next day's. */
    public static final String DAILY_QUOTA = "daily quota";

    private WaitReason() {
    }

    public static String of(String cause, String detail) {
        String text = detail == null || detail.isBlank() ? cause : cause + ": " + detail;
        return text.length() > 1000 ? text.substring(0, 1000) : text;
    }

    /** The cause part of a wait reason. */
    public static String cause(String reason) {
        int colon = reason.indexOf(": ");
        return colon < 0 ? reason : reason.substring(0, colon);
    }

    /** Whether the wait stands for a retry (a send that has to be tried again), not a window, a pause or the day's quota. */
    public static boolean isRetry(String cause) {
        return !SEND_WINDOW.equals(cause) && !PAUSED.equals(cause) && !DAILY_QUOTA.equals(cause);
    }
}
