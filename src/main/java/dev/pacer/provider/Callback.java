package dev.pacer.provider;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * One callback a provider posted to {@code /callbacks/NAME} (receipts, replies), as its
 * {@link ProviderApi} authenticates and reads it.
 *
 * @param publicUrl the URL the provider posted to, as it knows it ({@code pacer.public-url} + the path),
 *                  which Twilio signs; null when {@code pacer.public-url} is not set
 * @param header    the request's headers, looked up case-insensitively (null when absent)
 */
public record Callback(String publicUrl, Function<String, String> header, String contentType, String body) {

    /** The body's form parameters (the first value of each), sorted by name; empty for a body that is not a form. */
    public Map<String, String> form() {
        Map<String, String> form = new TreeMap<>();
        if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")
                || body == null || body.isEmpty()) {
            return form;
        }
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            form.putIfAbsent(name, value);
        }
        return form;
    }

    @Override
    public String toString() {
        return "Callback[" + publicUrl + ", " + contentType + ", " + (body == null ? 0 : body.length()) + " characters]";
    }
}
