package dev.pacer.provider;

import java.net.URI;

/** A provider's built-in simulator: where it listens, and its score (requests inside a told wait, duplicates...). */
public interface ProviderSimulator extends AutoCloseable {

    URI baseUrl();

    /** The score so far, as a record that writes itself as JSON. */
    Object stats();

    @Override
    void close();
}
