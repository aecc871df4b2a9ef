package dev.pacer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * A running Pacer server ({@code pacer serve}) over its HTTP API, with the administrator's login:
 * start a campaign through {@code /engine-rest}, see whether it has ended, read its report from
 * {@code /api}. Boots no engine.
 */
public final class ServerClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** @param base the server's root, e.g. {@code http://127.0.0.1:8080} */
    public ServerClient(URI base, String user, String password) {
        this.base = base;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Whether the server answers its REST API with this login. */
    public boolean ready() throws InterruptedException {
        try {
            return send(get("/engine-rest/engine")).statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** Waits until the server is {@linkplain #ready ready}, for at most {@code within}. */
    public void awaitReady(Duration within) throws InterruptedException {
        Instant until = Instant.now().plus(within);
        while (!ready()) {
            if (Instant.now().isAfter(until)) {
                throw new IllegalStateException(base + " did not answer within " + within);
            }
            Thread.sleep(250);
        }
    }

    /**
     * Starts a campaign described by {@code campaignJson} (what a campaign file holds).
     *
     * @return the campaign's instance id
     * @throws IllegalStateException with the server's answer when it refuses it
     */
    public String startCampaign(String campaignJson) throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(JSON.createObjectNode().set("variables", JSON.createObjectNode()
                .set("campaign", JSON.createObjectNode().put("type", "Json").put("value", campaignJson))));
        HttpResponse<String> r = send(request("/engine-rest/process-definition/key/campaign/start")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("the server refused the campaign (" + r.statusCode() + "): " + r.body());
        }
        return JSON.readTree(r.body()).path("id").asText();
    }

    /** Whether the process instance {@code instanceId} (a campaign, a message) has ended. */
    public boolean ended(String instanceId) throws IOException, InterruptedException {
        HttpResponse<String> r = send(get("/engine-rest/history/process-instance/" + encode(instanceId)));
        return r.statusCode() == 200 && "COMPLETED".equals(JSON.readTree(r.body()).path("state").asText());
    }

    /** Waits until the process instance {@code instanceId} has {@linkplain #ended ended}, for at most {@code within}. */
    public void awaitEnded(String instanceId, Duration within) throws IOException, InterruptedException {
        Instant until = Instant.now().plus(within);
        while (!ended(instanceId)) {
            if (Instant.now().isAfter(until)) {
                throw new IllegalStateException("instance " + instanceId + " did not end within " + within);
            }
            Thread.sleep(250);
        }
    }

    /** The report of the newest campaign named {@code name} (or of instance {@code name}): the JSON of {@code pacer report --json}. */
    public JsonNode report(String name) throws IOException, InterruptedException {
        HttpResponse<String> r = send(get("/api/campaigns/" + encode(name) + "/report"));
        if (r.statusCode() != 200) {
            throw new IllegalStateException("no report of " + name + " (" + r.statusCode() + "): " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private HttpRequest get(String path) {
        return request(path).GET().build();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).header("Authorization", authorization);
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
