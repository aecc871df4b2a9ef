package dev.pacer.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The provider a baseline sends to (a Bandwidth v2 account, in the benchmark the simulator) and what
 * its user was told of the limit.
 *
 * @param configuredSegmentsPerMinute the limit the baseline is configured with: the true one when it is known,
 *                                    a guess when it is not
 * @param meanSegments                the campaign's mean segments per message, for a baseline that can only
 *                                    count requests
 */
public record BenchTarget(URI baseUrl, String accountId, String applicationId, String username, String password,
                          int configuredSegmentsPerMinute, double meanSegments) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public URI messagesUri() {
        return baseUrl.resolve("/api/v2/users/" + accountId + "/messages");
    }

    public String authorization() {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Bandwidth's create-message body; the tag is the message's key, so a duplicate shows. */
    public String body(BenchMessage m, String from) {
        ObjectNode body = JSON.createObjectNode();
        body.put("applicationId", applicationId);
        body.putArray("to").add(m.to());
        body.put("from", from);
        body.put("text", m.text());
        body.put("tag", m.key());
        return body.toString();
    }

    /** The create-message request, as the HTTP-client baselines send it. */
    public HttpRequest request(BenchMessage m, String from) {
        return HttpRequest.newBuilder(messagesUri()).header("Authorization", authorization())
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body(m, from))).build();
    }

    /** Messages per second the configured limit allows, for a baseline that counts requests. */
    public double messagesPerSecond() {
        return configuredSegmentsPerMinute / 60.0 / meanSegments;
    }
}
