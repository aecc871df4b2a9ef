package dev.pacer.system;

/** Where and as whom one provider account is reached; {@code toString} leaves the credentials out. */
record ProviderEndpoint(String name, String scope, String baseUrl, String accountId, String applicationId,
                        String authorization) {

    @Override
    public String toString() {
        return "ProviderEndpoint[" + name + " " + baseUrl + " account " + accountId + "]";
    }
}
