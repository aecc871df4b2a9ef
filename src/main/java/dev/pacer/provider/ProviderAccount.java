package dev.pacer.provider;

/**
 * One configured provider account, as the sends see it: its name and type, where it is reached,
 * its settings (credentials included, which {@code toString} leaves out) and the names of its
 * pacing scopes.
 *
 * @param name      the account's name, {@code pacer.providers.NAME}, which campaigns and messages give as {@code provider}
 * @param type      its provider's API ({@link ProviderApi#type()})
 * @param simulated    whether the built-in simulator stands in for it
 * @param id           what the provider knows the account by ({@link ProviderApi#accountId}): Bandwidth's account id,
 *                     Twilio's account SID, Genesys Cloud's OAuth client
 * @param senderQueues whether each sender number has a queue of its own at the provider that can fill
 *                     ({@link ProviderApi#senderQueues}): each sender is then a scope of its own that can be held
 * @param postsReceipts whether the provider posts delivery receipts ({@link ProviderApi#postsReceipts}): its messages
 *                      then wait for them when receipts are on
 */
public record ProviderAccount(String name, String type, String baseUrl, ProviderProperties settings, boolean simulated, String id,
                              boolean senderQueues, boolean postsReceipts) {

    /** The account's scope: {@code NAME:ID}, e.g. {@code bandwidth:9900001}. */
    public String scope() {
        return name + ":" + id;
    }

    /** The API user's (credential's) scope. */
    public String userScope() {
        return scope() + ":user";
    }

    /** Whether each sender number is a scope of its own: it has limits, or a queue at the provider. */
    public boolean sendersLimited() {
        return settings.sender().limited() || senderQueues;
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
