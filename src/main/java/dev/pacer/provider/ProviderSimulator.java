package dev.pacer.provider;

import java.net.URI;

/** A provider's built-in simulator: where it listens, and its score (requests inside a told wait, duplicates...). */
public interface ProviderSimulator extends AutoCloseable {

    URI baseUrl();

    /**
     * Where to post the delivery receipts of the messages it takes from now on, and the replies of
     * their recipients ({@code serve}'s {@code /callbacks/NAME}), with the {@code Authorization}
     * header to send where the provider sends one; a simulator that posts none ignores it.
     *
     * @return whether it will post any ({@code pacer.simulator.receipts.enabled}, or replies set)
     */
    default boolean postReceipts(URI callbackUrl, String authorization) {
        return false;
    }

    /** The score so far, as a record that writes itself as JSON. */
    Object stats();

    @Override
    void close();
}
