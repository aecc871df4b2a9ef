package dev.pacer.flow;

/**
 * The classes the response rules ({@code classify-response} in {@code bpmn/response-rules.dmn})
 * sort a provider's answer into; the send step acts on nothing else.
 */
public enum ResponseClass {
    /** The provider took the message. */
    ACCEPTED,
    /** The scope must wait, then the message tries again; not a failed attempt. */
    RATE_LIMITED,
    /** Back off and try again while the retry policy has attempts left. */
    TRANSIENT,
    /** The provider refused the message for good. */
    PERMANENT,
    /**
     * The provider refused the account (credentials, permissions: 401, 403): every other message
     * would be refused too, so the campaign pauses itself with the reason, and the message waits
     * for its resume; a message on its own ends {@code REJECTED}.
     */
    ACCOUNT,
    /**
     * Not the rules' to give: the send step's, for a request whose answer was lost ({@link Doubt}).
     * Nothing is sent again before the provider has been asked.
     */
    IN_DOUBT
}
