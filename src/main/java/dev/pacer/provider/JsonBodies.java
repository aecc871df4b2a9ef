package dev.pacer.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;

/** Reading a provider's JSON answers, which may be empty, cut short or not JSON at all: never throws for what a provider may send. */
public final class JsonBodies {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonBodies() {
    }

    /** The body as a JSON object, or null when it is empty, not JSON, or not an object. */
    public static JsonNode object(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** A field's text, or null when the object or the field is absent, or the field is null. */
    public static String text(JsonNode json, String field) {
        JsonNode n = json == null ? null : json.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }
}
