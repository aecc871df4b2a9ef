package dev.pacer.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pacer.throttle.Segments;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.random.RandomGenerator;

/**
 * A Bandwidth Messaging v2 look-alike on a loopback port: same path, Basic auth, request and
 * response bodies. Its account queue drains at a set segment rate and answers 429 when full, with
 * or without {@code Retry-After}, so that Pacer can be run and tested without a real account. It
 * keeps score of what a well-behaved client should never do: requests inside a wait it told,
 * and the same message accepted twice.
 */
public final class BandwidthSimulator implements AutoCloseable {

    /** How the simulator tells the wait on a 429. */
    public enum RetryAfterMode { NONE, SECONDS, HTTP_DATE }

    /**
     * @param segmentsPerMinute the true drain rate of the account queue
     * @param queueCapacity     segments the queue holds before it answers 429
     * @param clockSkew         how far the simulator's own clock (its {@code Date} header) is off
     * @param serverErrorRate   share of requests answered 500 at random
     */
    public record Settings(String accountId, String username, String password, int segmentsPerMinute,
                           int queueCapacity, RetryAfterMode retryAfter, Duration clockSkew,
                           double serverErrorRate, Duration latency) {
        public Settings {
            if (segmentsPerMinute < 1 || queueCapacity < 1) {
                throw new IllegalArgumentException("simulator segments-per-minute and queue-capacity must be at least 1");
            }
        }
    }

    /** The simulator's score so far. */
    public record Stats(long requests, long accepted, long acceptedSegments, long rateLimited, long serverErrors,
                        long rejected, long insideToldWait, long duplicates) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private final Settings settings;
    private final Clock clock;
    private final RandomGenerator random;
    private final HttpServer server;
    private final ExecutorService executor;
    private final String expectedAuth;
    private final Set<String> acceptedTags = new HashSet<>();

    private double queueLevel;
    private Instant lastDrain;
    private Instant toldWaitUntil = Instant.EPOCH;
    private long requests, accepted, acceptedSegments, rateLimited, serverErrors, rejected, insideToldWait, duplicates;

    public BandwidthSimulator(Settings settings, Clock clock, RandomGenerator random) throws IOException {
        this.settings = settings;
        this.clock = clock;
        this.random = random;
        this.lastDrain = clock.instant();
        this.expectedAuth = "Basic " + Base64.getEncoder().encodeToString(
                (settings.username() + ":" + settings.password()).getBytes(StandardCharsets.UTF_8));
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
        this.executor = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "bandwidth-simulator");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/api/v2/users/", this::handle);
        server.start();
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public Settings settings() {
        return settings;
    }

    public synchronized Stats stats() {
        return new Stats(requests, accepted, acceptedSegments, rateLimited, serverErrors, rejected, insideToldWait, duplicates);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            if (!settings.latency().isZero()) {
                Thread.sleep(settings.latency().toMillis());
            }
            Reply reply = answer(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("Authorization"),
                    exchange.getRequestHeaders().getFirst("Content-Type"), body);
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            exchange.getResponseHeaders().set("Date", HTTP_DATE.format(reply.providerNow));
            if (reply.retryAfter != null) {
                exchange.getResponseHeaders().set("Retry-After", reply.retryAfter);
            }
            byte[] out = reply.body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(reply.status, out.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Reply(int status, String body, String retryAfter, Instant providerNow) {
    }

    private synchronized Reply answer(String method, String path, String auth, String contentType, byte[] raw) {
        Instant now = clock.instant();
        Instant providerNow = now.plus(settings.clockSkew());
        requests++;
        if (now.isBefore(toldWaitUntil)) {
            insideToldWait++;
        }
        String expectedPath = "/api/v2/users/" + settings.accountId() + "/messages";
        if (!expectedPath.equals(path)) {
            return error(404, "not-found", "No resource at " + path, providerNow);
        }
        if (!"POST".equals(method)) {
            return error(405, "method-not-allowed", "Use POST", providerNow);
        }
        if (!expectedAuth.equals(auth)) {
            return error(401, "unauthorized", "Authentication failed", providerNow);
        }
        if (contentType == null || !contentType.startsWith("application/json")) {
            return error(415, "unsupported-content-type", "Content-Type must be application/json", providerNow);
        }
        JsonNode request;
        try {
            request = JSON.readTree(raw);
        } catch (IOException e) {
            return error(400, "request-validation", "Body is not valid JSON", providerNow);
        }
        String invalid = validate(request);
        if (invalid != null) {
            return error(400, "request-validation", invalid, providerNow);
        }
        if (settings.serverErrorRate() > 0 && random.nextDouble() < settings.serverErrorRate()) {
            serverErrors++;
            return error(500, "internal-server-error", "Something went wrong", providerNow);
        }
        int segments = Segments.count(request.path("text").asText("")).segments();
        drain(now);
        double perSecond = settings.segmentsPerMinute() / 60d;
        if (queueLevel + segments > settings.queueCapacity()) {
            rateLimited++;
            double seconds = (queueLevel + segments - settings.queueCapacity()) / perSecond;
            Duration wait = Duration.ofMillis((long) Math.ceil(seconds * 1000));
            long wholeSeconds = Math.max(1, (long) Math.ceil(seconds));
            String retryAfter = switch (settings.retryAfter()) {
                case NONE -> null;
                case SECONDS -> String.valueOf(wholeSeconds);
                case HTTP_DATE -> HTTP_DATE.format(providerNow.plusSeconds(wholeSeconds));
            };
            Instant told = now.plus(retryAfter == null ? wait : Duration.ofSeconds(wholeSeconds));
            if (told.isAfter(toldWaitUntil)) {
                toldWaitUntil = told;
            }
            String description = "The SMS queue for your account is full and cannot accept more messages right now. "
                    + "Your allowed rate is " + settings.segmentsPerMinute() + " messages per minute. The capacity of this queue is "
                    + settings.queueCapacity() + " messages (" + Math.max(1, settings.queueCapacity() / Math.max(1, settings.segmentsPerMinute()))
                    + " minutes). Reduce your message sending rate, or contact support to increase your allowed rate.";
            return new Reply(429, errorBody("max-message-queue-size-exceeded", description), retryAfter, providerNow);
        }
        queueLevel += segments;
        accepted++;
        acceptedSegments += segments;
        String tag = request.path("tag").asText(null);
        if (tag != null && !acceptedTags.add(tag)) {
            duplicates++;
        }
        ObjectNode message = JSON.createObjectNode();
        message.put("id", Long.toString(now.toEpochMilli(), 36) + UUID.randomUUID().toString().replace("-", "").substring(0, 16));
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
        return new Reply(202, message.toString(), null, providerNow);
    }

    private void drain(Instant now) {
        if (now.isAfter(lastDrain)) {
            double seconds = Duration.between(lastDrain, now).toNanos() / 1e9;
            queueLevel = Math.max(0, queueLevel - seconds * settings.segmentsPerMinute() / 60d);
            lastDrain = now;
        }
    }

    private static String validate(JsonNode r) {
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

    private Reply error(int status, String type, String description, Instant providerNow) {
        if (status < 500) {
            rejected++;
        }
        return new Reply(status, errorBody(type, description), null, providerNow);
    }

    private static String errorBody(String type, String description) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", type);
        n.put("description", description);
        return n.toString();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
