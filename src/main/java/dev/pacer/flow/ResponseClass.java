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
    PERMANENT
}
