package dev.pacer.flow;

/**
 * What the throttle and send steps tell the delivery flow to do next ({@code slot}); the gateways
 * of {@code bpmn/delivery.bpmn} compare it by name ({@code ${slot == 'NOW'}}).
 */
public enum Slot {
    /** Send now. */
    NOW,
    /** Wait on {@code slotAt} for the slot reserved. */
    LATER,
    /** A bulk message queued beyond the horizon: wait on {@code slotAt}, then ask again with its ticket. */
    RECHECK,
    /**
     * Wait on {@code retryAt} (a 429's Retry-After, or a back-off), then ask for a slot again; after
     * a send in doubt, wait on {@code settleAt} and ask the provider again.
     */
    RETRY,
    /** Wait on {@code windowOpensAt} for the recipient's send window. */
    WINDOW,
    /** Wait for the campaign to be resumed. */
    PAUSED,
    /** The message has its outcome: it ends without waiting. */
    END,
    /**
     * Set by the send step: the slot was voided (a pause, or a real-time send took it); ask again at
     * once. Set by the settle step: send again.
     */
    RESLOT
}
