package dev.pacer.provider.bandwidth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.provider.ProviderSimulator;
import dev.pacer.provider.RetryAfterMode;
import dev.pacer.provider.SimulatedCallbacks;
import dev.pacer.provider.SimulatorProperties;
import dev.pacer.provider.SimulatorServer;
import dev.pacer.provider.ToldWait;
import dev.pacer.provider.SimulatorServer.Reply;
import dev.pacer.provider.SimulatorServer.Request;
import dev.pacer.provider.UserWindow;
import dev.pacer.sms.Segments;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * A Bandwidth Messaging v2 look-alike on a loopback port: same path, Basic auth, request and
 * response bodies. Its account queue drains at a true segment rate and answers 429 when full, and
 * it can play a hostile provider: a rate lower than the client was told, {@code Retry-After}
 * missing, understated or overstated, HTTP-dates from a skewed clock, a per-user request limit on
 * top of the account's, random server errors, and a lockout that punishes requests sent inside a
 * wait it told. It keeps score of what a well-behaved client should never do: requests inside a told
 * wait, lockouts, and the same message accepted twice.
 *
 * <p>The HTTP front is a {@link SimulatorServer}; {@link #answer} is the model itself, usable without
 * HTTP on a fake clock.
 */
public final class BandwidthSimulator implements ProviderSimulator {

    /** The account the simulator serves, and its behaviour (see {@link SimulatorProperties} for each setting). */
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

        public Settings(String accountId, String username, String password, SimulatorProperties p) {
            this(accountId, username, password, p.segmentsPerMinute(), p.queueCapacity(), p.retryAfter(), p.retryAfterFactor(),
                    p.statesRate(), p.clockSkew(), p.serverErrorRate(), p.latency(), p.userLimit(), p.userWindow(), p.lockout(), p.cooldown());
        }

        /** A well-behaved account: the queue states its rate, no per-user limit, no lockout. */
        public static Settings of(String accountId, String username, String password, int segmentsPerMinute, int queueCapacity) {
            return new Settings(accountId, username, password, SimulatorProperties.wellBehaved(segmentsPerMinute, queueCapacity));
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

    private static final int LIST_CAPACITY = 200_000;

    /** One accepted message, as the message list shows it. */
    private record Listed(String id, String from, String to, Instant receiveTime) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    /** IMF-fixdate (RFC 9110): a two-digit day, unlike Java's RFC_1123_DATE_TIME. */
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.US)
            .withZone(ZoneOffset.UTC);

    private final Settings settings;
    private final Clock clock;
    private final RandomGenerator random;
    private final String expectedAuth;
    private final Set<String> acceptedTags = new HashSet<>();
    /** What the message list holds: the messages accepted, up to {@link #LIST_CAPACITY}. */
    private final List<Listed> listed = new ArrayList<>();
    private final SimulatorServer server;

    /** Segments waiting in the account queue, and of those the high-priority ones (sent first). */
    private double queueLevel;
    private double highLevel;
    private long highAccepted;
    private double highAheadMax;
    private double defaultAheadMax;
    private Instant lastDrain;
    private final ToldWait toldWait = new ToldWait();
    private Instant lockedUntil = Instant.EPOCH;
    private Instant cooldownUntil = Instant.EPOCH;
    private Instant drainedBy = Instant.EPOCH;
    private Instant firstRequestAt;
    private final UserWindow userWindow;
    /** The receipts and replies it posts, and where: none until {@link #postReceipts}. */
    private final SimulatedCallbacks callbacks;
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
        this.userWindow = new UserWindow(settings.userLimit(), settings.userWindow());
        this.expectedAuth = "Basic " + Base64.getEncoder().encodeToString(
                (settings.username() + ":" + settings.password()).getBytes(StandardCharsets.UTF_8));
        this.callbacks = new SimulatedCallbacks("bandwidth", SimulatorProperties.Receipts.none(), SimulatorProperties.Replies.none(), random);
        this.server = http ? new SimulatorServer("bandwidth", this::respond, reply -> told(reply.toldUntil()), settings.latency()) : null;
    }

    @Override
    public URI baseUrl() {
        if (server == null) {
            throw new IllegalStateException("this simulator has no HTTP front");
        }
        return server.baseUrl();
    }

    public Settings settings() {
        return settings;
    }

    /** The receipts to post once {@link #postReceipts} says where. */
    public void receipts(SimulatorProperties.Receipts receipts) {
        callbacks.receipts(receipts);
    }

    /** The replies to play once {@link #postReceipts} says where. */
    public void replies(SimulatorProperties.Replies replies) {
        callbacks.replies(replies);
    }

    @Override
    public boolean postReceipts(URI callbackUrl, String authorization) {
        return callbacks.postTo(callbackUrl, authorization);
    }

    /** Receipts and replies posted so far (duplicates included). */
    public long receiptsPosted() {
        return callbacks.posted();
    }

    /**
     * Posts the receipt of a message it took, after the delay: delivered, or failed as over the
     * day's cap (4780, midnight Pacific) or filtered as spam (4470); sometimes twice. A recipient who
     * answers STOP does so in a {@code message-received} event to the number it came from.
     */
    private void scheduleCallbacks(JsonNode message, Instant providerNow) {
        String recipient = message.path("to").path(0).asText();
        SimulatedCallbacks.Plan plan = callbacks.plan(recipient, providerNow);
        if (plan.receipt()) {
            boolean capped = plan.fate() == SimulatedCallbacks.Fate.CAPPED;
            boolean failed = plan.fate() != SimulatedCallbacks.Fate.DELIVERED;
            ObjectNode event = JSON.createObjectNode();
            event.put("type", failed ? "message-failed" : "message-delivered");
            event.put("time", providerNow.plus(plan.receiptAfter()).toString());
            event.put("to", recipient);
            event.put("description", capped ? "t-mobile-daily-cap-reached" : failed ? "rejected-spam-detected" : "ok");
            if (failed) {
                event.put("errorCode", capped ? 4780 : 4470);
            }
            event.set("message", message);
            java.net.http.HttpRequest receipt = callback(JSON.createArrayNode().add(event).toString());
            callbacks.post(plan.receiptAfter(), receipt);
            if (plan.twice()) {
                callbacks.post(plan.again(), receipt);
            }
        }
        if (plan.stop()) {
            String sender = message.path("from").asText();
            Instant at = providerNow.plus(plan.replyAfter());
            ObjectNode reply = JSON.createObjectNode();
            reply.put("id", Long.toString(at.toEpochMilli(), 36) + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 16));
            reply.put("owner", sender);
            reply.put("applicationId", message.path("applicationId").asText());
            reply.put("time", at.toString());
            reply.put("segmentCount", 1);
            reply.put("direction", "in");
            reply.putArray("to").add(sender);
            reply.put("from", recipient);
            reply.put("text", "STOP");
            ObjectNode event = JSON.createObjectNode();
            event.put("type", "message-received");
            event.put("time", at.toString());
            event.put("description", "Incoming message received");
            event.put("to", sender);
            event.set("message", reply);
            callbacks.post(plan.replyAfter(), callback(JSON.createArrayNode().add(event).toString()));
        }
    }

    private java.net.http.HttpRequest callback(String body) {
        return java.net.http.HttpRequest.newBuilder(callbacks.to()).header("Content-Type", "application/json")
                .header("User-Agent", "BandwidthAPI/v2").header("Authorization", callbacks.authorization())
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build();
    }

    @Override
    public synchronized Stats stats() {
        return new Stats(requests, accepted, acceptedSegments, rateLimited, serverErrors, rejected, insideToldWait, lockouts, duplicates,
                firstRequestAt, drainedBy, highAccepted, highAheadMax, defaultAheadMax);
    }

    /** When each message accepted so far was received (its message list's receive time, on the simulator's clock). */
    public synchronized List<Instant> acceptedTimes() {
        return listed.stream().map(Listed::receiveTime).toList();
    }

    /** Answers one request as the provider would, at the simulator clock's time; a wait it tells starts at once. */
    public synchronized Reply answer(Request r) {
        Reply reply = respond(r);
        told(reply.toldUntil());
        return reply;
    }

    private synchronized void told(Instant until) {
        toldWait.told(until, clock.instant());
    }

    private synchronized Reply respond(Request r) {
        return toldWait.stamp(reply(r));
    }

    private Reply reply(Request r) {
        Instant now = clock.instant();
        Instant providerNow = now.plus(settings.clockSkew());
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json; charset=utf-8");
        headers.put("Date", HTTP_DATE.format(providerNow));
        if ("GET".equals(r.method())) {
            // the message list (a credential check, a search for a send in doubt), outside the score
            boolean known = expectedAuth.equals(r.authorization()) && r.path().equals("/api/v2/users/" + settings.accountId() + "/messages");
            return known ? new Reply(200, headers, list(r.query()))
                    : new Reply(401, headers, BandwidthBodies.error("unauthorized", "Authentication failed"));
        }
        requests++;
        if (firstRequestAt == null) {
            firstRequestAt = now;
        }
        if (toldWait.inside(now)) {
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
            return new Reply(429, headers, BandwidthBodies.error("account-locked", "Too many requests during a rate limit: the account is locked until "
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
        String invalid = BandwidthBodies.validate(request);
        if (invalid != null) {
            return error(400, "request-validation", invalid, headers);
        }
        if (settings.serverErrorRate() > 0 && random.nextDouble() < settings.serverErrorRate()) {
            serverErrors++;
            return new Reply(500, headers, BandwidthBodies.error("internal-server-error", "Something went wrong"));
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
                toldWait.telling(now.plus(refused));
            }
            String description = "The SMS queue for your account is full and cannot accept more messages right now. "
                    + (settings.statesRate() ? "Your allowed rate is " + settings.segmentsPerMinute() + " messages per minute. The capacity of this queue is "
                    + settings.queueCapacity() + " messages (" + Math.max(1, settings.queueCapacity() / settings.segmentsPerMinute())
                    + " minutes). " : "") + "Reduce your message sending rate, or contact support to increase your allowed rate.";
            return new Reply(429, headers, BandwidthBodies.error("max-message-queue-size-exceeded", description));
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
        JsonNode message = BandwidthBodies.message(request, providerNow, segments, tag);
        if (listed.size() < LIST_CAPACITY) {
            listed.add(new Listed(message.path("id").asText(), request.path("from").asText(), request.path("to").path(0).asText(), providerNow));
        }
        if (callbacks.posting()) {
            scheduleCallbacks(message, providerNow);
        }
        return new Reply(202, headers, message.toString());
    }

    /**
     * The message list's page for a search: the accepted messages matching {@code sourceTn},
     * {@code destinationTn} and the receive-time range {@code fromDateTime}-{@code toDateTime}.
     */
    private String list(Map<String, String> query) {
        Instant from = query.containsKey("fromDateTime") ? Instant.parse(query.get("fromDateTime")) : Instant.MIN;
        Instant to = query.containsKey("toDateTime") ? Instant.parse(query.get("toDateTime")) : Instant.MAX;
        int limit = Integer.parseInt(query.getOrDefault("limit", "100"));
        ObjectNode page = JSON.createObjectNode();
        ArrayNode messages = JSON.createArrayNode();
        long total = 0;
        for (Listed m : listed) {
            boolean matches = (!query.containsKey("sourceTn") || query.get("sourceTn").equals(m.from()))
                    && (!query.containsKey("destinationTn") || query.get("destinationTn").equals(m.to()))
                    && !m.receiveTime().isBefore(from) && !m.receiveTime().isAfter(to);
            if (matches && total++ < limit) {
                messages.addObject().put("messageId", m.id()).put("accountId", settings.accountId()).put("sourceTn", m.from())
                        .put("destinationTn", m.to()).put("messageStatus", "SENT").put("messageDirection", "OUTBOUND")
                        .put("receiveTime", m.receiveTime().toString());
            }
        }
        page.put("totalCount", total);
        page.putObject("pageInfo");
        page.set("messages", messages);
        return page.toString();
    }

    /** The per-user fixed window: counts this request and reports the window; a 429 once it is spent. */
    private Reply userWindow(Instant now, Instant providerNow, Map<String, String> headers) {
        Instant spentUntil = userWindow.take(now, settings.clockSkew(), headers);
        if (spentUntil == null) {
            return null;
        }
        rateLimited++;
        tell(Duration.between(now, spentUntil), now, providerNow, headers);
        return new Reply(429, headers, BandwidthBodies.error("too-many-requests", "API rate limit exceeded: " + settings.userLimit() + " requests per "
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
        toldWait.telling(now.plusSeconds(seconds));
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

    private Reply error(int status, String type, String description, Map<String, String> headers) {
        if (status < 500) {
            rejected++;
        }
        return new Reply(status, headers, BandwidthBodies.error(type, description));
    }

    @Override
    public void close() {
        callbacks.close();
        if (server != null) {
            server.close();
        }
    }
}
