package dev.pacer.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.throttle.Segments;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.modeler.Registry;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/**
 * A Bandwidth Messaging v2 look-alike on a loopback port: same path, Basic auth, request and
 * response bodies. Its account queue drains at a true segment rate and answers 429 when full, and
 * it can play a hostile provider: a rate lower than the client was told, {@code Retry-After}
 * missing, understated or overstated, HTTP-dates from a skewed clock, a per-user request limit on
 * top of the account's, random server errors, and a lockout that punishes requests sent inside a
 * wait it told. It keeps score of what a well-behaved client should never do: requests inside a told
 * wait, lockouts, and the same message accepted twice.
 *
 * <p>The HTTP front is an embedded Tomcat (the JDK's own server overwrites the {@code Date} header,
 * and a skewed provider clock must show in it); {@link #answer} is the model itself, usable without
 * HTTP on a fake clock.
 */
public final class BandwidthSimulator implements AutoCloseable {

    /** How the simulator tells the wait on a 429. */
    public enum RetryAfterMode { NONE, SECONDS, HTTP_DATE }

    /**
     * @param segmentsPerMinute  the true drain rate of the account queue
     * @param queueCapacity      segments the queue holds before it answers 429
     * @param retryAfterFactor   the told wait as a share of the true one (0.5 understates, 3 overstates)
     * @param statesRate         whether the 429 body states the allowed rate and queue capacity, as Bandwidth's does
     * @param clockSkew          how far the simulator's own clock (its {@code Date} and HTTP-dates) is off
     * @param serverErrorRate    share of requests answered 500 at random
     * @param userLimit          requests one API user may make per {@code userWindow} (fixed windows), 0 for none;
     *                           when set every response reports the window in {@code X-RateLimit-*} headers
     * @param lockout            how long the account is locked after a request inside a told wait, zero for never
     * @param cooldown           how long a full queue refuses everything once it has answered 429 (at least
     *                           until there is room); the wait it tells is this times {@code retryAfterFactor}.
     *                           Only with a {@code Retry-After}: a cooldown nobody is told of cannot be kept
     */
    public record Settings(String accountId, String username, String password, int segmentsPerMinute,
                           int queueCapacity, RetryAfterMode retryAfter, double retryAfterFactor, boolean statesRate,
                           Duration clockSkew, double serverErrorRate, Duration latency,
                           int userLimit, Duration userWindow, Duration lockout, Duration cooldown) {
        public Settings {
            if (segmentsPerMinute < 1 || queueCapacity < 1) {
                throw new IllegalArgumentException("simulator segments-per-minute and queue-capacity must be at least 1");
            }
            if (!(retryAfterFactor > 0)) {
                throw new IllegalArgumentException("simulator retry-after-factor must be positive, got " + retryAfterFactor);
            }
            if (userLimit < 0 || (userLimit > 0 && (userWindow.isZero() || userWindow.isNegative()))) {
                throw new IllegalArgumentException("simulator user-limit must be 0 or positive with a positive user-window");
            }
        }

        /** A well-behaved account: the queue states its rate, no per-user limit, no lockout. */
        public static Settings of(String accountId, String username, String password, int segmentsPerMinute, int queueCapacity) {
            return new Settings(accountId, username, password, segmentsPerMinute, queueCapacity, RetryAfterMode.NONE, 1, true,
                    Duration.ZERO, 0, Duration.ZERO, 0, Duration.ofSeconds(1), Duration.ZERO, Duration.ZERO);
        }
    }

    /**
     * The simulator's score so far.
     *
     * @param firstRequestAt when the first request came, or null
     * @param drainedBy      when the queue will have sent the last segment accepted so far
     * @param highAccepted   messages accepted with {@code priority: high}
     * @param highAheadMax   the most segments a high-priority message found ahead of it in the queue
     *                       (high-priority messages drain before the rest)
     * @param defaultAheadMax the same for default-priority messages
     */
    public record Stats(long requests, long accepted, long acceptedSegments, long rateLimited, long serverErrors,
                        long rejected, long insideToldWait, long lockouts, long duplicates, Instant firstRequestAt, Instant drainedBy,
                        long highAccepted, double highAheadMax, double defaultAheadMax) {
    }

    /** One HTTP request as the model sees it. */
    public record Request(String method, String path, String authorization, String contentType, byte[] body) {
    }

    /**
     * One HTTP response: status, headers and JSON body.
     *
     * @param toldUntil the end of the wait this response tells, or null; it counts from the moment the
     *                  response reaches the client, not before
     */
    public record Reply(int status, Map<String, String> headers, String body, Instant toldUntil) {
        Reply(int status, Map<String, String> headers, String body) {
            this(status, headers, body, null);
        }
    }

    /**
     * Requests arriving this soon after a told wait reached the client were on their way before it
     * (another thread's request, sent a moment earlier): refused, but not held against the client.
     */
    static final Duration IN_FLIGHT_GRACE = Duration.ofMillis(50);

    private static final ObjectMapper JSON = new ObjectMapper();
    /** IMF-fixdate (RFC 9110): a two-digit day, unlike Java's RFC_1123_DATE_TIME. */
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.US)
            .withZone(ZoneOffset.UTC);

    private final Settings settings;
    private final Clock clock;
    private final RandomGenerator random;
    private final String expectedAuth;
    private final Set<String> acceptedTags = new HashSet<>();
    private final Tomcat tomcat;
    private final Path baseDir;
    private final int port;

    /** Segments waiting in the account queue, and of those the high-priority ones (sent first). */
    private double queueLevel;
    private double highLevel;
    private long highAccepted;
    private double highAheadMax;
    private double defaultAheadMax;
    private Instant lastDrain;
    private Instant toldWaitUntil = Instant.EPOCH;
    /** When the current told wait reached the client. */
    private Instant toldSince = Instant.EPOCH;
    private Instant lockedUntil = Instant.EPOCH;
    private Instant cooldownUntil = Instant.EPOCH;
    private Instant drainedBy = Instant.EPOCH;
    private Instant firstRequestAt;
    /** The wait the reply being built tells, applied once the client has it. */
    private Instant pendingTold;
    private long userWindowIndex = Long.MIN_VALUE;
    private int userWindowCount;
    private long requests, accepted, acceptedSegments, rateLimited, serverErrors, rejected, insideToldWait, lockouts, duplicates;

    /** Starts the simulator on a free loopback port. */
    public BandwidthSimulator(Settings settings, Clock clock, RandomGenerator random) throws IOException {
        this(settings, clock, random, true);
    }

    /** @param http false for the model alone, driven through {@link #answer} */
    public BandwidthSimulator(Settings settings, Clock clock, RandomGenerator random, boolean http) throws IOException {
        this.settings = settings;
        this.clock = clock;
        this.random = random;
        this.lastDrain = clock.instant();
        this.expectedAuth = "Basic " + Base64.getEncoder().encodeToString(
                (settings.username() + ":" + settings.password()).getBytes(StandardCharsets.UTF_8));
        if (!http) {
            this.tomcat = null;
            this.baseDir = null;
            this.port = -1;
            return;
        }
        this.baseDir = Files.createTempDirectory("pacer-simulator");
        Registry.disableRegistry();
        this.tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("maxThreads", "16");
        tomcat.setConnector(connector);
        tomcat.getEngine().setName("bandwidth-simulator-" + UUID.randomUUID());
        Context context = tomcat.addContext("", null);
        Tomcat.addServlet(context, "bandwidth", new Front());
        context.addServletMappingDecoded("/*", "bandwidth");
        try {
            tomcat.start();
        } catch (LifecycleException e) {
            throw new IOException("cannot start the Bandwidth simulator", e);
        }
        this.port = connector.getLocalPort();
    }

    public URI baseUrl() {
        if (port < 0) {
            throw new IllegalStateException("this simulator has no HTTP front");
        }
        return URI.create("http://127.0.0.1:" + port);
    }

    public Settings settings() {
        return settings;
    }

    public synchronized Stats stats() {
        return new Stats(requests, accepted, acceptedSegments, rateLimited, serverErrors, rejected, insideToldWait, lockouts, duplicates,
                firstRequestAt, drainedBy, highAccepted, highAheadMax, defaultAheadMax);
    }

    private final class Front extends HttpServlet {
        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            byte[] body = req.getInputStream().readAllBytes();
            if (!settings.latency().isZero()) {
                try {
                    Thread.sleep(settings.latency().toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            Reply reply = respond(new Request(req.getMethod(), req.getRequestURI(), req.getHeader("Authorization"),
                    req.getContentType(), body));
            resp.setStatus(reply.status());
            reply.headers().forEach(resp::setHeader);
            byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
            resp.setContentLength(out.length);
            try (OutputStream os = resp.getOutputStream()) {
                os.write(out);
                os.flush();
            }
            // Requests that arrive before the client could have read the wait are not held against it.
            told(reply.toldUntil());
        }
    }

    /** Answers one request as the provider would, at the simulator clock's time; a wait it tells starts at once. */
    public synchronized Reply answer(Request r) {
        Reply reply = respond(r);
        told(reply.toldUntil());
        return reply;
    }

    private synchronized void told(Instant until) {
        if (until != null && until.isAfter(toldWaitUntil)) {
            if (!clock.instant().isBefore(toldWaitUntil)) {
                toldSince = clock.instant();
            }
            toldWaitUntil = until;
        }
    }

    private synchronized Reply respond(Request r) {
        Reply reply = reply(r);
        Instant told = pendingTold;
        pendingTold = null;
        return told == null ? reply : new Reply(reply.status(), reply.headers(), reply.body(), told);
    }

    private Reply reply(Request r) {
        Instant now = clock.instant();
        Instant providerNow = now.plus(settings.clockSkew());
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json; charset=utf-8");
        headers.put("Date", HTTP_DATE.format(providerNow));
        requests++;
        if (firstRequestAt == null) {
            firstRequestAt = now;
        }
        if (now.isBefore(toldWaitUntil) && !now.isBefore(toldSince.plus(IN_FLIGHT_GRACE))) {
            insideToldWait++;
            if (!settings.lockout().isZero()) {
                lockouts++;
                lockedUntil = max(lockedUntil, now.plus(settings.lockout()));
            }
        }
        String expectedPath = "/api/v2/users/" + settings.accountId() + "/messages";
        if (!expectedPath.equals(r.path())) {
            return error(404, "not-found", "No resource at " + r.path(), headers);
        }
        if (!"POST".equals(r.method())) {
            return error(405, "method-not-allowed", "Use POST", headers);
        }
        if (!expectedAuth.equals(r.authorization())) {
            return error(401, "unauthorized", "Authentication failed", headers);
        }
        if (now.isBefore(lockedUntil)) {
            rateLimited++;
            tell(Duration.between(now, lockedUntil), now, providerNow, headers);
            return new Reply(429, headers, errorBody("account-locked", "Too many requests during a rate limit: the account is locked until "
                    + HTTP_DATE.format(lockedUntil.plus(settings.clockSkew()))));
        }
        if (settings.userLimit() > 0) {
            Reply limited = userWindow(now, providerNow, headers);
            if (limited != null) {
                return limited;
            }
        }
        if (r.contentType() == null || !r.contentType().startsWith("application/json")) {
            return error(415, "unsupported-content-type", "Content-Type must be application/json", headers);
        }
        JsonNode request;
        try {
            request = JSON.readTree(r.body());
        } catch (IOException e) {
            return error(400, "request-validation", "Body is not valid JSON", headers);
        }
        String invalid = validate(request);
        if (invalid != null) {
            return error(400, "request-validation", invalid, headers);
        }
        if (settings.serverErrorRate() > 0 && random.nextDouble() < settings.serverErrorRate()) {
            serverErrors++;
            return new Reply(500, headers, errorBody("internal-server-error", "Something went wrong"));
        }
        int segments = Segments.count(request.path("text").asText("")).segments();
        drain(now);
        double perSecond = settings.segmentsPerMinute() / 60d;
        if (queueLevel + segments > settings.queueCapacity() || now.isBefore(cooldownUntil)) {
            rateLimited++;
            Duration room = Duration.ofNanos((long) Math.ceil(Math.max(0, queueLevel + segments - settings.queueCapacity()) / perSecond * 1e9));
            if (!settings.cooldown().isZero() && settings.retryAfter() != RetryAfterMode.NONE && !now.isBefore(cooldownUntil)) {
                cooldownUntil = now.plus(settings.cooldown());
            }
            Duration refused = max(room, Duration.between(now, max(now, cooldownUntil)));
            boolean told = tell(refused, now, providerNow, headers);
            if (!told && settings.statesRate()) {
                // No header, but the body's rate lets a client work out when there is room: that counts as told.
                pendingTold = now.plus(refused);
            }
            String description = "The SMS queue for your account is full and cannot accept more messages right now. "
                    + (settings.statesRate() ? "Your allowed rate is " + settings.segmentsPerMinute() + " messages per minute. The capacity of this queue is "
                    + settings.queueCapacity() + " messages (" + Math.max(1, settings.queueCapacity() / settings.segmentsPerMinute())
                    + " minutes). " : "") + "Reduce your message sending rate, or contact support to increase your allowed rate.";
            return new Reply(429, headers, errorBody("max-message-queue-size-exceeded", description));
        }
        if ("high".equals(request.path("priority").asText())) {
            highAheadMax = Math.max(highAheadMax, highLevel);
            highLevel += segments;
            highAccepted++;
        } else {
            defaultAheadMax = Math.max(defaultAheadMax, queueLevel);
        }
        queueLevel += segments;
        drainedBy = now.plusNanos((long) (queueLevel / perSecond * 1e9));
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
        return new Reply(202, headers, message.toString());
    }

    /** The per-user fixed window: counts this request and reports the window; a 429 once it is spent. */
    private Reply userWindow(Instant now, Instant providerNow, Map<String, String> headers) {
        long windowNanos = settings.userWindow().toNanos();
        long nowNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        long index = Math.floorDiv(nowNanos, windowNanos);
        if (index != userWindowIndex) {
            userWindowIndex = index;
            userWindowCount = 0;
        }
        Instant windowEnd = Instant.ofEpochSecond(0, 0).plusNanos((index + 1) * windowNanos);
        boolean spent = userWindowCount >= settings.userLimit();
        if (!spent) {
            userWindowCount++;
        }
        headers.put("X-RateLimit-Limit", Integer.toString(settings.userLimit()));
        headers.put("X-RateLimit-Remaining", Integer.toString(settings.userLimit() - userWindowCount));
        // an epoch time, from the provider's clock (GitHub style)
        headers.put("X-RateLimit-Reset", Long.toString(windowEnd.plus(settings.clockSkew()).plusNanos(999_999_999).getEpochSecond()));
        if (!spent) {
            return null;
        }
        rateLimited++;
        tell(Duration.between(now, windowEnd), now, providerNow, headers);
        return new Reply(429, headers, errorBody("too-many-requests", "API rate limit exceeded: " + settings.userLimit() + " requests per "
                + settings.userWindow().toMillis() + " ms"));
    }

    /**
     * Tells a wait in {@code Retry-After}, scaled by the settings' factor (a lying provider), and
     * records it as the told wait. Returns false when the settings send no {@code Retry-After}.
     */
    private boolean tell(Duration trueWait, Instant now, Instant providerNow, Map<String, String> headers) {
        if (settings.retryAfter() == RetryAfterMode.NONE) {
            return false;
        }
        long seconds = Math.max(1, (long) Math.ceil(trueWait.toNanos() * settings.retryAfterFactor() / 1e9));
        headers.put("Retry-After", settings.retryAfter() == RetryAfterMode.SECONDS ? Long.toString(seconds)
                : HTTP_DATE.format(providerNow.plusSeconds(seconds)));
        pendingTold = now.plusSeconds(seconds);
        return true;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private void drain(Instant now) {
        if (now.isAfter(lastDrain)) {
            double seconds = Duration.between(lastDrain, now).toNanos() / 1e9;
            double sent = seconds * settings.segmentsPerMinute() / 60d;
            queueLevel = Math.max(0, queueLevel - sent);
            highLevel = Math.max(0, Math.min(queueLevel, highLevel - sent));
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

    private Reply error(int status, String type, String description, Map<String, String> headers) {
        if (status < 500) {
            rejected++;
        }
        return new Reply(status, headers, errorBody(type, description));
    }

    private static String errorBody(String type, String description) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", type);
        n.put("description", description);
        return n.toString();
    }

    @Override
    public void close() {
        if (tomcat == null) {
            return;
        }
        try {
            tomcat.stop();
            tomcat.destroy();
        } catch (LifecycleException e) {
            throw new IllegalStateException("cannot stop the Bandwidth simulator", e);
        } finally {
            try (Stream<Path> files = Files.walk(baseDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
