package dev.pacer.system;

/**
 * Where and as whom one provider account is reached, and the names of its pacing scopes;
 * {@code toString} leaves the credentials out.
 *
 * @param scope            the account's scope
 * @param userScope        the API user's scope
 * @param rateLimitHeaders the layer ({@code account}, {@code user} or {@code sender}) the provider's
 *                         rate-limit headers describe
 */
record ProviderEndpoint(String name, String scope, String userScope, PacerProperties.Layer sender, int maxInFlight,
                        String rateLimitHeaders, String baseUrl, String accountId, String applicationId, String authorization) {

    boolean sendersLimited() {
        return sender.limit() > 0 || sender.maxInFlight() > 0;
    }

    String senderScope(String from) {
        return scope + ":sender:" + from;
    }

    @Override
    public String toString() {
        return "ProviderEndpoint[" + name + " " + baseUrl + " account " + accountId + "]";
    }
}
