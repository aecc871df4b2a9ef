package dev.pacer.provider;

import java.util.Map;

/**
 * One request as a provider route sends it: a create-message {@code POST}, or the {@code GET} of a
 * credential check. Its headers may hold credentials: the route's exchange drops them once the
 * answer is in, and {@code toString} leaves them out.
 *
 * @param path        relative to the account's base URL, with its leading slash
 * @param contentType the body's media type (null without a body)
 */
public record ProviderRequest(String method, String path, String contentType, Map<String, String> headers, String body) {

    public ProviderRequest {
        headers = Map.copyOf(headers);
    }

    /** A {@code POST} with a body. */
    public static ProviderRequest post(String path, String contentType, Map<String, String> headers, String body) {
        return new ProviderRequest("POST", path, contentType, headers, body);
    }

    /** A {@code GET}, without a body. */
    public static ProviderRequest get(String path, Map<String, String> headers) {
        return new ProviderRequest("GET", path, null, headers, null);
    }

    @Override
    public String toString() {
        return "ProviderRequest[" + method + " " + path + ", " + contentType + ", headers " + headers.keySet() + "]";
    }
}
