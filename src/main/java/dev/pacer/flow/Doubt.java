package dev.pacer.flow;

/**
 * How a send whose answer was lost was settled ({@code doubt}): a request that may have reached the
 * provider (it timed out after it was written, the connection closed without a reply, a 2xx came
 * back cut short, or the node sending it stopped) is never sent again blindly. The provider is asked
 * first; only what it cannot tell follows the message's {@code onDoubt} policy.
 */
public enum Doubt {
    /** The provider has the message: it ends {@code ACCEPTED}, with the provider's id. */
    SENT,
    /** The provider has no such message: it was sent again. */
    NOT_SENT,
    /** The provider could not tell, and the policy {@code resend} sent it again. */
    RESENT,
    /** The provider could not tell, and the policy {@code skip} ended it {@code IN_DOUBT}. */
    SKIPPED,
    /** The message ended (its deadline passed, its campaign was cancelled) before its doubt was settled. */
    UNSETTLED
}
