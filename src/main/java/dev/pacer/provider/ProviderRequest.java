package dev.pacer.provider;

import java.util.Map;

/**
 * One create-message request as a provider route sends it. Its headers may hold credentials: the
 * route's exchange drops them once the answer is in, and {@code toString} leaves them out.
 *
 * @param path        relative to the account's base URL, with its leading slash
 * @param contentType the body's media type
 */
public record ProviderRequest(String path, String contentType, Map<String, String> headers, String body) {

    public ProviderRequest {
        headers = Map.copyOf(headers);
    }

    @Override
    public String toString() {
        return "ProviderRequest[" + path + ", " + contentType + ", headers " + headers.keySet() + "]";
    }
}
