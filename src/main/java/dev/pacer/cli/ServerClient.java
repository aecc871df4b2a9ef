package dev.pacer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * A running Pacer server ({@code pacer serve}) over its HTTP API, with the administrator's login:
 * start a campaign through {@code /engine-rest}, see whether it has ended, read its report, status
 * and trails from {@code /api}, manage the suppression list. Boots no engine. A server that does not
 * answer is a {@link NoServer}; a request it refuses is a {@link Refused} whose message is one line
 * naming the problem.
 *
 * <p>It speaks through {@link HttpURLConnection}, not {@code java.net.http.HttpClient}: a command
 * makes one or a few requests, and the newer client costs a short-lived JVM about 0.6 s (its first
 * request sets up TLS and its selector, and the JVM's exit then waits 300 ms for that selector
 * thread, which sits in native code). A POST is sent in fixed-length streaming mode, which the JDK
 * never retries on its own.
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

    /** An answer: its status and its body as it came. */
    record Answer(int status, byte[] bytes) {
        String body() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static final int CONNECT_TIMEOUT_MS = 3_000;
    private static final int READ_TIMEOUT_MS = 30_000;

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
    public boolean ready() {
        try {
            return exchange("GET", "/engine-rest/engine", null).status() == 200;
        } catch (NoServer | Refused e) {
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
    public String startCampaign(String campaignJson) throws IOException {
        JsonNode body = JSON.createObjectNode().set("variables", JSON.createObjectNode()
                .set("campaign", JSON.createObjectNode().put("type", "Json").put("value", campaignJson)));
        Answer r = exchange("POST", "/engine-rest/process-definition/key/campaign/start", body);
        if (r.status() != 200) {
            throw new IllegalStateException("the server refused the campaign (" + r.status() + "): " + r.body());
        }
        return JSON.readTree(r.bytes()).path("id").asText();
    }

    /** Whether the process instance {@code instanceId} (a campaign, a message) has ended. */
    public boolean ended(String instanceId) throws IOException {
        Answer r = exchange("GET", "/engine-rest/history/process-instance/" + encode(instanceId), null);
        return r.status() == 200 && "COMPLETED".equals(JSON.readTree(r.bytes()).path("state").asText());
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
    public JsonNode report(String name) throws IOException {
        Answer r = exchange("GET", "/api/campaigns/" + encode(name) + "/report", null);
        if (r.status() != 200) {
            throw new IllegalStateException("no report of " + name + " (" + r.status() + "): " + r.body());
        }
        return JSON.readTree(r.bytes());
    }

    /** {@code GET path}: the JSON of a 2xx answer; anything else is {@link Refused}. */
    public JsonNode getJson(String path) {
        return json(exchange("GET", path, null));
    }

    /** {@code GET path}: the bytes of a 2xx answer (a chart, a CSV). */
    public byte[] getBytes(String path) {
        Answer r = exchange("GET", path, null);
        if (r.status() / 100 != 2) {
            throw refusal(r.status(), r.body());
        }
        return r.bytes();
    }

    /** {@code POST path} with a JSON body: the JSON of a 2xx answer. */
    public JsonNode postJson(String path, JsonNode body) {
        return json(exchange("POST", path, body));
    }

    /** {@code DELETE path}: the JSON of a 2xx answer. */
    public JsonNode delete(String path) {
        return json(exchange("DELETE", path, null));
    }

    /**
     * The answer as it came, whatever its status. A server that cannot be reached (nothing listens,
     * the name does not resolve, the connection is not made in 3 s) is {@link NoServer}; one that
     * breaks off after that is {@link Refused} with status 0.
     */
    Answer exchange(String method, String path, JsonNode json) {
        HttpURLConnection c;
        byte[] out;
        try {
            out = json == null ? null : JSON.writeValueAsBytes(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + json, e);
        }
        try {
            // appended, not resolved: a server under a path (http://host/pacer) keeps it
            c = (HttpURLConnection) URI.create(base.toString().replaceAll("/+$", "") + path).toURL().openConnection();
            c.setRequestMethod(method);
            c.setConnectTimeout(CONNECT_TIMEOUT_MS);
            c.setReadTimeout(READ_TIMEOUT_MS);
            c.setInstanceFollowRedirects(false);
            c.setUseCaches(false);
            c.setRequestProperty("Authorization", authorization);
            c.setRequestProperty("Accept", "application/json, */*");
            if (out != null) {
                c.setDoOutput(true);
                c.setFixedLengthStreamingMode(out.length);
                c.setRequestProperty("Content-Type", "application/json");
            }
            c.connect();
        } catch (IOException | IllegalArgumentException e) {
            throw new NoServer(base, e);
        }
        try {
            if (out != null) {
                try (OutputStream o = c.getOutputStream()) {
                    o.write(out);
                }
            }
            int status = c.getResponseCode();
            try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
                return new Answer(status, in == null ? new byte[0] : in.readAllBytes());
            }
        } catch (IOException e) {
            throw new Refused(0, "the server at " + base + " broke off: " + e);
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

    private JsonNode json(Answer r) {
        if (r.status() / 100 != 2) {
            throw refusal(r.status(), r.body());
        }
        try {
            return r.body().isBlank() ? JSON.nullNode() : JSON.readTree(r.bytes());
        } catch (IOException e) {
            throw new Refused(r.status(), "the server at " + base + " answered what is not JSON: " + said(r.body()));
        }
    }

    /** A path segment: {@code +1202...} as {@code %2B1202...}, a space as {@code %20}. */
    static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
