package dev.pacer.provider;

import java.net.URI;

/** A provider's built-in simulator: where it listens, and its score (requests inside a told wait, duplicates...). */
public interface ProviderSimulator extends AutoCloseable {

    URI baseUrl();

    /**
     * Where to post the delivery receipts of the messages it takes from now on ({@code serve}'s
     * {@code /callbacks/NAME}), with the {@code Authorization} header to send; a simulator that posts
     * none ignores it.
     */
    default void postReceipts(URI callbackUrl, String authorization) {
    }

    /** The score so far, as a record that writes itself as JSON. */
    Object stats();

    @Override
    void close();
}
