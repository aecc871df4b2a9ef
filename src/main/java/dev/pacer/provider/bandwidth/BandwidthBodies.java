package dev.pacer.provider.bandwidth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.UUID;

/** The simulator's side of Bandwidth's bodies: what a create-message request must hold, and what the answers look like. */
final class BandwidthBodies {

    private static final ObjectMapper JSON = new ObjectMapper();

    private BandwidthBodies() {
    }

    /** What is wrong with a create-message request, as Bandwidth's {@code request-validation} says it; null when nothing. */
    static String validate(JsonNode r) {
        if (!r.isObject()) {
            return "Body must be a JSON object";
        }
        if (r.path("applicationId").asText("").isBlank()) {
            return "'applicationId' is required";
        }
        JsonNode to = r.get("to");
        if (to == null || !to.isArray() || to.isEmpty()) {
            return "'to' must be a non-empty array";
        }
        for (JsonNode n : to) {
            if (!n.asText("").matches("\\+[1-9][0-9]{6,14}")) {
                return "'to' contains an invalid number: " + n.asText();
            }
        }
        if (!r.path("from").asText("").matches("\\+[1-9][0-9]{6,14}|[A-Za-z0-9 ]{1,11}")) {
            return "'from' is invalid";
        }
        String text = r.path("text").asText("");
        if (text.isEmpty() && !r.has("media")) {
            return "'text' or 'media' is required";
        }
        if (text.length() > 2048) {
            return "'text' is longer than 2048 characters";
        }
        return null;
    }

    /** The 202's body: the message as Bandwidth keeps it. */
    static ObjectNode message(JsonNode request, Instant providerNow, int segments, String tag) {
        ObjectNode message = JSON.createObjectNode();
        message.put("id", Long.toString(providerNow.toEpochMilli(), 36) + UUID.randomUUID().toString().replace("-", "").substring(0, 16));
        message.put("owner", request.path("from").asText());
        message.put("applicationId", request.path("applicationId").asText());
        message.put("time", providerNow.toString());
        message.put("segmentCount", segments);
        message.put("direction", "out");
        message.set("to", request.get("to"));
        message.put("from", request.path("from").asText());
        message.put("text", request.path("text").asText());
        if (tag != null) {
            message.put("tag", tag);
        }
        message.put("priority", request.path("priority").asText("default"));
        return message;
    }

    /** An error body: {@code {"type": ..., "description": ...}}. */
    static String error(String type, String description) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", type);
        n.put("description", description);
        return n.toString();
    }
}
