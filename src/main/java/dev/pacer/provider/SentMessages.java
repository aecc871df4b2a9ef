package dev.pacer.provider;

/** A provider's record of the messages it took, asked about a send whose answer was lost. */
@FunctionalInterface
public interface SentMessages {

    /** Whether the provider has the message {@code send} may have created; never throws for what a provider may answer. */
    Lookup find(SendInDoubt send);
}
