package dev.pacer.provider;

/**
 * What a provider's message list says of a {@link SendInDoubt}: it has the message (with its id),
 * it has none, or it cannot tell (the search failed, or the provider has no message list).
 */
public record Lookup(Found found, String providerMessageId, String detail) {

    public enum Found { YES, NO, UNKNOWN }

    public static Lookup found(String providerMessageId, String detail) {
        return new Lookup(Found.YES, providerMessageId, detail);
    }

    public static Lookup none(String detail) {
        return new Lookup(Found.NO, null, detail);
    }

    public static Lookup unknown(String detail) {
        return new Lookup(Found.UNKNOWN, null, detail);
    }
}
