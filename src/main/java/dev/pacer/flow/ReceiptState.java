package dev.pacer.flow;

/** Where a message taken by its provider stands with its receipt: the {@code receipt} variable the flow's gateway reads. */
public enum ReceiptState {
    /** Receipts are off for it: it ends ACCEPTED. */
    NONE,
    /** It waits for its receipt ({@code Event_Receipt}) until {@code receiptDueAt}. */
    AWAIT,
    /** Its receipt came before the send's answer was recorded: it is recorded at once. */
    IN
}
