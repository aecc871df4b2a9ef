package dev.pacer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * A running Pacer server ({@code pacer serve}) over its HTTP API, with the administrator's login:
 * start a campaign through {@code /engine-rest}, see whether it has ended, read its report, status
 * and trails from {@code /api}, manage the suppression list. Boots no engine. A server that does not
 * answer is a {@link NoServer}; a request it refuses is a {@link Refused} whose message is one line
 * naming the problem.
 */
public final class ServerClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** No server answers at the address: nothing listens there, or the connection could not be made. */
    public static final class NoServer extends RuntimeException {
        NoServer(URI base, Exception cause) {
            super("no Pacer server answers at " + base + " (start one with `pacer serve`, or name another with --server URL)", cause);
        }
    }

    /** The server answered, and not with what was asked for: the message is one line that names the problem. */
    public static final class Refused extends IllegalStateException {
        private final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }

        /** The HTTP status, or 0 when the server broke off without one. */
        public int status() {
            return status;
        }
    }

    private final URI base;
    private final String user;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3)).build();

    /** @param base the server's root, e.g. {@code http://127.0.0.1:8080} */
    public ServerClient(URI base, String user, String password) {
        this.base = base;
        this.user = user;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + (password == null ? "" : password))
                .getBytes(StandardCharsets.UTF_8));
    }

    /** The server's root. */
    public URI base() {
        return base;
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

    /** {@code GET path}: the JSON of a 2xx answer; anything else is {@link Refused}. */
    public JsonNode getJson(String path) {
        return json(exchange(get(path)));
    }

    /** {@code GET path}: the bytes of a 2xx answer (a chart, a CSV). */
    public byte[] getBytes(String path) {
        HttpResponse<byte[]> r = exchange(get(path), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() / 100 != 2) {
            throw refusal(r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        }
        return r.body();
    }

    /** {@code POST path} with a JSON body: the JSON of a 2xx answer. */
    public JsonNode postJson(String path, JsonNode body) {
        return json(exchange(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build()));
    }

    /** {@code DELETE path}: the JSON of a 2xx answer. */
    public JsonNode delete(String path) {
        return json(exchange(request(path).DELETE().build()));
    }

    /** The answer as it came, whatever its status; a server that does not answer is {@link NoServer}. */
    HttpResponse<String> exchange(HttpRequest request) {
        return exchange(request, HttpResponse.BodyHandlers.ofString());
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> body) {
        try {
            return http.send(request, body);
        } catch (ConnectException | HttpConnectTimeoutException | UnresolvedAddressException e) {
            throw new NoServer(base, e);
        } catch (IOException e) {
            if (e.getCause() instanceof UnresolvedAddressException) {
                throw new NoServer(base, e);
            }
            throw new Refused(0, "the server at " + base + " broke off: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refused(0, "interrupted while waiting for " + base);
        }
    }

    /** One line for a refused request: the login for a 401, else what the server said. */
    Refused refusal(int status, String body) {
        if (status == 401) {
            return new Refused(status, "the server at " + base + " refused the login '" + user + "' (401): set PACER_ADMIN_USER and "
                    + "PACER_ADMIN_PASSWORD, or give --user and --password");
        }
        String said = said(body);
        if (status == 403) {
            return new Refused(status, "the login '" + user + "' may not do this on " + base + " (403): " + said);
        }
        if (status >= 500) {
            return new Refused(status, "the server at " + base + " failed (HTTP " + status + "): " + said);
        }
        return new Refused(status, said.isEmpty() ? "the server at " + base + " answered HTTP " + status : said);
    }

    /** What an error body says: the {@code message} (the REST API) or {@code error} (Pacer's /api) of its JSON, else its first line. */
    static String said(String body) {
        if (body == null) {
            return "";
        }
        try {
            JsonNode json = JSON.readTree(body);
            if (json != null && json.isObject()) {
                for (String field : new String[]{"message", "error"}) {
                    if (json.path(field).isTextual()) {
                        return json.path(field).asText().strip();
                    }
                }
            }
        } catch (IOException e) {
            // not JSON: its first line below
        }
        String line = body.strip().lines().findFirst().orElse("");
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    private JsonNode json(HttpResponse<String> r) {
        if (r.statusCode() / 100 != 2) {
            throw refusal(r.statusCode(), r.body());
        }
        try {
            return r.body().isBlank() ? JSON.nullNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            throw new Refused(r.statusCode(), "the server at " + base + " answered what is not JSON: " + said(r.body()));
        }
    }

    private HttpRequest get(String path) {
        return request(path).GET().build();
    }

    HttpRequest.Builder request(String path) {
        // appended, not resolved: a server under a path (http://host/pacer) keeps it
        return HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/+$", "") + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", authorization);
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** A path segment: {@code +1202...} as {@code %2B1202...}, a space as {@code %20}. */
    static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
