package dev.pacer.provider;

/**
 * One configured provider account, as the sends see it: its name and type, where it is reached,
 * its settings (credentials included, which {@code toString} leaves out) and the names of its
 * pacing scopes.
 *
 * @param name      the account's name, {@code pacer.providers.NAME}, which campaigns and messages give as {@code provider}
 * @param type      its provider's API ({@link ProviderApi#type()})
 * @param simulated whether the built-in simulator stands in for it
 */
public record ProviderAccount(String name, String type, String baseUrl, ProviderProperties settings, boolean simulated) {

    /** The account's scope: {@code bandwidth:ACCOUNT_ID}. */
    public String scope() {
        return name + ":" + settings.accountId();
    }

    /** The API user's (credential's) scope. */
    public String userScope() {
        return scope() + ":user";
    }

    public boolean sendersLimited() {
        return settings.sender().limited();
    }

    public String senderScope(String from) {
        return scope() + ":sender:" + from;
    }

    public int maxInFlight() {
        return settings.maxInFlight();
    }

    /** The layer ({@code account}, {@code user} or {@code sender}) the provider's rate-limit headers describe. */
    public String rateLimitHeaders() {
        return settings.rateLimitHeaders();
    }

    /** The scope of one of the account's layers ({@code account}, {@code user}, {@code sender}) for a send from {@code from}. */
    public String scopeOf(String layer, String from) {
        return switch (layer == null ? "account" : layer) {
            case "user" -> userScope();
            case "sender" -> sendersLimited() ? senderScope(from) : scope();
            default -> scope();
        };
    }

    @Override
    public String toString() {
        return "ProviderAccount[" + name + " (" + type + ") " + baseUrl + (simulated ? ", simulated" : "") + "]";
    }
}
