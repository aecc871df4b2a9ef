package dev.pacer.provider.genesys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.provider.ProviderSimulator;
import dev.pacer.provider.SimulatorProperties;
import dev.pacer.provider.SimulatorServer;
import dev.pacer.provider.ToldWait;
import dev.pacer.provider.SimulatorServer.Reply;
import dev.pacer.provider.SimulatorServer.Request;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * A Genesys Cloud look-alike on a loopback port, serving its login server and its API on one base
 * URL: OAuth tokens by the client credentials grant ({@code POST /oauth/token}), and agentless
 * messages ({@code POST /api/v2/conversations/messages/agentless}) with a bearer token that expires.
 * Its limit counts requests per OAuth client in fixed one-minute windows ({@code segmentsPerMinute}
 * is read as the client's requests per minute), reported on every authenticated answer in
 * {@code inin-ratelimit-count}, {@code -allowed} and {@code -reset} (seconds until the window
 * resets); a 429 tells its wait in {@code Retry-After} and in its body ("Retry the request in [N]
 * seconds"). With {@code inconsistentRetryAfter} the header disagrees with the body at random
 * (missing, half, twice or equal), the body always stating the true wait. Token requests have a
 * limit of their own, {@link #TOKEN_REQUESTS_PER_MINUTE} per client.
 *
 * <p>It keeps score of what a well-behaved client should never do: requests inside a wait it told
 * (the longer of the header's and the body's), requests with an expired token, lockouts (with
 * {@code lockout} set, a request inside a told wait locks the client out for that long) and the same
 * message accepted twice (a heuristic: the same {@code toAddress} and {@code textBody} within
 * {@link #DUPLICATE_WINDOW}; the API has no idempotency key). {@code GET /api/v2/tokens/me} describes
 * a valid token (a credential check), outside the score.
 *
 * <p>The HTTP front is a {@link SimulatorServer}; {@link #answer} is the model itself, usable without
 * HTTP on a fake clock.
 */
public final class GenesysSimulator implements ProviderSimulator {

    /**
     * The OAuth client the simulator serves, and its behaviour (see {@link SimulatorProperties}: it reads
     * {@code segmentsPerMinute} as requests per minute, {@code tokenLifetime}, {@code inconsistentRetryAfter},
     * {@code lockout}, {@code serverErrorRate}, {@code latency} and {@code clockSkew}).
     */
    public record Settings(String clientId, String clientSecret, SimulatorProperties properties) {
        public Settings {
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(clientSecret, "clientSecret");
            Objects.requireNonNull(properties, "properties");
            if (properties.segmentsPerMinute() < 1) {
                throw new IllegalArgumentException("simulator segments-per-minute (Genesys: requests per minute) must be at least 1");
            }
            if (properties.tokenLifetime() == null || properties.tokenLifetime().isZero() || properties.tokenLifetime().isNegative()) {
                throw new IllegalArgumentException("simulator token-lifetime must be positive, got " + properties.tokenLifetime());
            }
            if (properties.lockout().isNegative()) {
                throw new IllegalArgumentException("simulator lockout cannot be negative, got " + properties.lockout());
            }
        }
    }

    /**
     * The simulator's score so far.
     *
     * @param requests         API requests (everything but the token endpoint and {@code GET}s)
     * @param rateLimited      API requests answered 429 (over the limit, or locked out)
     * @param insideToldWait   API requests inside a wait a 429 told (past {@link ToldWait#IN_FLIGHT_GRACE})
     * @param unauthorized     API requests answered 401 (no token, an unknown one or an expired one)
     * @param expiredTokenUsed of those, the ones with a token it issued that had expired
     * @param tokensIssued     tokens issued
     * @param tokenRequests    requests to the token endpoint, answered or refused
     * @param rejected         API requests refused as bad (400, 404, 405, 415)
     * @param duplicates       messages accepted with the same {@code toAddress} and {@code textBody} as one
     *                         accepted within the last 10 minutes
     * @param firstRequestAt   when the first API request came, or null
     */
    public record Stats(long requests, long accepted, long rateLimited, long insideToldWait, long lockouts, long unauthorized,
                        long expiredTokenUsed, long tokensIssued, long tokenRequests, long serverErrors, long rejected,
                        long duplicates, Instant firstRequestAt) {
    }

    /** The same {@code toAddress} and {@code textBody} accepted again within this long counts as a duplicate. */
    static final Duration DUPLICATE_WINDOW = Duration.ofMinutes(10);
    /** Token requests one client may make per (fixed) minute. */
    public static final int TOKEN_REQUESTS_PER_MINUTE = 300;
    /** The longest SMS {@code textBody} taken. */
    static final int MAX_SMS_TEXT = 765;
    static final String TOKEN_PATH = "/oauth/token";
    static final String AGENTLESS_PATH = "/api/v2/conversations/messages/agentless";
    static final String TOKEN_ME_PATH = "/api/v2/tokens/me";
    private static final int LIST_CAPACITY = 200_000;
    private static final Set<String> MESSENGER_TYPES = Set.of("sms", "whatsapp", "open");
    private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{6,14}");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** IMF-fixdate (RFC 9110), for the {@code Date} header. */
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC);

    /** A fixed one-minute window on the simulator's clock: requests counted in the current minute. */
    private static final class MinuteWindow {
        private long index = Long.MIN_VALUE;
        private int count;

        /** Moves to the window holding {@code now}, empty when it is a new one. */
        void roll(Instant now) {
            long i = Math.floorDiv(now.getEpochSecond(), 60);
            if (i != index) {
                index = i;
                count = 0;
            }
        }

        Instant end() {
            return Instant.ofEpochSecond((index + 1) * 60);
        }
    }

    private final Settings settings;
    private final SimulatorProperties properties;
    private final Clock clock;
    private final RandomGenerator random;
    private final String credentials;
    /** Every token issued, and when it expires. */
    private final Map<String, Instant> tokens = new HashMap<>();
    private final MinuteWindow apiWindow = new MinuteWindow();
    private final MinuteWindow tokenWindow = new MinuteWindow();
    /** When each recent {@code toAddress} and {@code textBody} pair was last accepted, oldest first. */
    private final LinkedHashMap<String, Instant> recent = new LinkedHashMap<>();
    private final List<Instant> acceptedTimes = new ArrayList<>();
    private final SimulatorServer server;

    private final ToldWait toldWait = new ToldWait();
    private Instant lockedUntil = Instant.EPOCH;
    private Instant firstRequestAt;
    private long requests, accepted, rateLimited, insideToldWait, lockouts, unauthorized, expiredTokenUsed, tokensIssued, tokenRequests,
            serverErrors, rejected, duplicates;

    /** Starts the simulator on a free loopback port. */
    public GenesysSimulator(Settings settings, Clock clock, RandomGenerator random) throws IOException {
        this(settings, clock, random, true);
    }

    /** @param http false for the model alone, driven through {@link #answer} */
    public GenesysSimulator(Settings settings, Clock clock, RandomGenerator random, boolean http) throws IOException {
        this.settings = settings;
        this.properties = settings.properties();
        this.clock = clock;
        this.random = random;
        this.credentials = settings.clientId() + ":" + settings.clientSecret();
        this.server = http ? new SimulatorServer("genesys", this::respond, reply -> told(reply.toldUntil()), properties.latency()) : null;
    }

    @Override
    public URI baseUrl() {
        if (server == null) {
            throw new IllegalStateException("this simulator has no HTTP front");
        }
        return server.baseUrl();
    }

    /** The client served and the behaviour. */
    public Settings settings() {
        return settings;
    }

    @Override
    public synchronized Stats stats() {
        return new Stats(requests, accepted, rateLimited, insideToldWait, lockouts, unauthorized, expiredTokenUsed, tokensIssued,
                tokenRequests, serverErrors, rejected, duplicates, firstRequestAt);
    }

    /** When each message accepted so far was accepted (its {@code timestamp}, on the simulator's clock). */
    public synchronized List<Instant> acceptedTimes() {
        return List.copyOf(acceptedTimes);
    }

    /** Every token issued so far expires now (a test hook for a token expiring mid-campaign). */
    public synchronized void expireTokens() {
        Instant now = clock.instant();
        tokens.replaceAll((token, expiry) -> expiry.isAfter(now) ? now : expiry);
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
        Instant providerNow = now.plus(properties.clockSkew());
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("Date", HTTP_DATE.format(providerNow));
        if (TOKEN_PATH.equals(r.path()) && "POST".equals(r.method())) {
            return token(r, now, headers);
        }
        if ("GET".equals(r.method())) {
            return get(r, now, headers);
        }
        requests++;
        if (firstRequestAt == null) {
            firstRequestAt = now;
        }
        if (toldWait.inside(now)) {
            insideToldWait++;
            if (!properties.lockout().isZero()) {
                lockouts++;
                lockedUntil = max(lockedUntil, now.plus(properties.lockout()));
            }
        }
        if (!AGENTLESS_PATH.equals(r.path())) {
            rejected++;
            return apiError(404, "not.found", "The requested resource " + r.path() + " was not found", headers);
        }
        if (!"POST".equals(r.method())) {
            rejected++;
            return apiError(405, "method.not.allowed", "Use POST", headers);
        }
        Reply refused = badToken(r.authorization(), now, headers);
        if (refused != null) {
            return refused;
        }

        apiWindow.roll(now);
        if (now.isBefore(lockedUntil)) {
            rateLimited++;
            ininHeaders(now, headers);
            return tooMany(Duration.between(now, lockedUntil), now, headers);
        }
        if (apiWindow.count >= properties.segmentsPerMinute()) {
            rateLimited++;
            ininHeaders(now, headers);
            return tooMany(Duration.between(now, apiWindow.end()), now, headers);
        }
        apiWindow.count++;
        ininHeaders(now, headers);

        if (r.contentType() != null && !r.contentType().toLowerCase(Locale.ROOT).startsWith("application/json")) {
            rejected++;
            return apiError(415, "unsupported.media.type", "Content-Type must be application/json", headers);
        }
        JsonNode request;
        try {
            request = JSON.readTree(r.body() == null ? new byte[0] : r.body());
        } catch (IOException e) {
            request = null;
        }
        String invalid = request == null || request.isMissingNode() ? "The request body is not valid JSON" : invalid(request);
        if (invalid != null) {
            rejected++;
            return apiError(400, "bad.request", invalid, headers);
        }
        if (properties.serverErrorRate() > 0 && random.nextDouble() < properties.serverErrorRate()) {
            serverErrors++;
            return new Reply(503, headers, shortError(503, "service.unavailable", "The service is currently unavailable"));
        }
        String to = request.get("toAddress").asText();
        String text = request.get("textBody").asText();
        accepted++;
        if (duplicate(to, text, now)) {
            duplicates++;
        }
        if (acceptedTimes.size() < LIST_CAPACITY) {
            acceptedTimes.add(providerNow);
        }
        String id = uuid();
        ObjectNode message = JSON.createObjectNode();
        message.put("id", id);
        message.put("conversationId", uuid());
        message.put("fromAddress", request.get("fromAddress").asText());
        message.put("toAddress", to);
        message.put("messengerType", request.get("toAddressMessengerType").asText());
        message.put("textBody", text);
        message.put("timestamp", providerNow.toString());
        message.put("selfUri", AGENTLESS_PATH + "/" + id);
        return new Reply(202, headers, message.toString());
    }

    /** The 401 for a request without a valid token (counted), or null when its token is good. */
    private Reply badToken(String authorization, Instant now, Map<String, String> headers) {
        String token = bearer(authorization);
        Instant expiry = token == null ? null : tokens.get(token);
        if (expiry != null && now.isBefore(expiry)) {
            return null;
        }
        unauthorized++;
        if (expiry != null) {
            expiredTokenUsed++;
        }
        return new Reply(401, headers, shortError(401, "bad.credentials", "Invalid login credentials."));
    }

    /** The {@code GET}s, outside the score: a valid token's description, else not found. */
    private Reply get(Request r, Instant now, Map<String, String> headers) {
        if (!TOKEN_ME_PATH.equals(r.path())) {
            return apiError(404, "not.found", "The requested resource " + r.path() + " was not found", headers);
        }
        String token = bearer(r.authorization());
        Instant expiry = token == null ? null : tokens.get(token);
        if (expiry == null || !now.isBefore(expiry)) {
            return new Reply(401, headers, shortError(401, "bad.credentials", "Invalid login credentials."));
        }
        ObjectNode me = JSON.createObjectNode();
        me.putObject("organization").put("id", "pacer-simulator").put("name", "Pacer simulator");
        me.putObject("OAuthClient").put("id", settings.clientId()).put("name", "Pacer simulator client");
        me.put("authorizedScope", "messaging");
        me.put("expirationDate", expiry.plus(properties.clockSkew()).toString());
        return new Reply(200, headers, me.toString());
    }

    /** The login server: a token by the client credentials grant, at most {@link #TOKEN_REQUESTS_PER_MINUTE} a minute. */
    private Reply token(Request r, Instant now, Map<String, String> headers) {
        tokenRequests++;
        if (!basicMatches(r.authorization())) {
            return oauthError(401, "invalid_client", "Client authentication failed: unknown client or wrong secret", headers);
        }
        tokenWindow.roll(now);
        if (tokenWindow.count >= TOKEN_REQUESTS_PER_MINUTE) {
            long seconds = ceilSeconds(Duration.between(now, tokenWindow.end()));
            headers.put("Retry-After", Long.toString(seconds));
            return new Reply(429, headers, shortError(429, "too.many.requests",
                    "Rate limit exceeded the maximum. Retry the request in [" + seconds + "] seconds"));
        }
        tokenWindow.count++;
        Map<String, String> form;
        try {
            form = form(r.body());
        } catch (IllegalArgumentException e) {
            return oauthError(400, "invalid_request", "The request body is not valid application/x-www-form-urlencoded", headers);
        }
        if (!"client_credentials".equals(form.get("grant_type"))) {
            ObjectNode n = JSON.createObjectNode();
            n.put("error", "unsupported_grant_type");
            return new Reply(400, headers, n.toString());
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        tokens.put(token, now.plus(properties.tokenLifetime()));
        tokensIssued++;
        ObjectNode n = JSON.createObjectNode();
        n.put("access_token", token);
        n.put("token_type", "bearer");
        n.put("expires_in", ceilSeconds(properties.tokenLifetime()));
        return new Reply(200, headers, n.toString());
    }

    /** What is wrong with an agentless message request; null when nothing. */
    private static String invalid(JsonNode r) {
        if (!r.isObject()) {
            return "The request body must be a JSON object";
        }
        if (text(r, "fromAddress") == null) {
            return "fromAddress is required";
        }
        String to = text(r, "toAddress");
        if (to == null) {
            return "toAddress is required";
        }
        String type = text(r, "toAddressMessengerType");
        if (type == null) {
            return "toAddressMessengerType is required";
        }
        if (!MESSENGER_TYPES.contains(type)) {
            return "toAddressMessengerType must be one of sms, whatsapp, open, got " + type;
        }
        if (!"open".equals(type) && !E164.matcher(to).matches()) {
            return "toAddress " + to + " is not a valid E.164 phone number";
        }
        String body = text(r, "textBody");
        if (body == null) {
            return "textBody is required";
        }
        if ("sms".equals(type) && body.length() > MAX_SMS_TEXT) {
            return "textBody exceeds the maximum of " + MAX_SMS_TEXT + " characters for an SMS (it has " + body.length() + ")";
        }
        return null;
    }

    /** A field's text, null when it is missing, not a string, or empty. */
    private static String text(JsonNode r, String field) {
        JsonNode n = r.get(field);
        return n == null || !n.isTextual() || n.asText().isEmpty() ? null : n.asText();
    }

    /** The client's window, as every answer to an authenticated API request reports it. */
    private void ininHeaders(Instant now, Map<String, String> headers) {
        headers.put("inin-ratelimit-count", Integer.toString(apiWindow.count));
        headers.put("inin-ratelimit-allowed", Integer.toString(properties.segmentsPerMinute()));
        headers.put("inin-ratelimit-reset", Long.toString(ceilSeconds(Duration.between(now, apiWindow.end()))));
    }

    /**
     * A 429 telling {@code wait}: the body states it truly, in whole seconds; {@code Retry-After}
     * agrees, or with {@code inconsistentRetryAfter} is missing, half, twice or equal at random. The
     * longer of the two is the told wait.
     */
    private Reply tooMany(Duration wait, Instant now, Map<String, String> headers) {
        long seconds = ceilSeconds(wait);
        long header = seconds;
        if (properties.inconsistentRetryAfter()) {
            switch (random.nextInt(4)) {
                case 0 -> header = -1;
                case 1 -> header = Math.max(1, seconds / 2);
                case 2 -> header = seconds * 2;
                default -> header = seconds;
            }
        }
        if (header >= 0) {
            headers.put("Retry-After", Long.toString(header));
        }
        toldWait.telling(now.plusSeconds(Math.max(seconds, header)));
        return new Reply(429, headers, apiErrorBody(429, "too.many.requests.retry.after",
                "Rate limit exceeded the maximum. Retry the request in [" + seconds + "] seconds"));
    }

    /** Whether the same {@code toAddress} and {@code textBody} was accepted within {@link #DUPLICATE_WINDOW}; remembers this one. */
    private boolean duplicate(String to, String text, Instant now) {
        Instant cutoff = now.minus(DUPLICATE_WINDOW);
        Iterator<Map.Entry<String, Instant>> oldest = recent.entrySet().iterator();
        while (oldest.hasNext() && oldest.next().getValue().isBefore(cutoff)) {
            oldest.remove();
        }
        String key = to + '\u0000' + text;
        Instant last = recent.remove(key);
        recent.put(key, now);
        return last != null && !last.isBefore(cutoff);
    }

    private boolean basicMatches(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        try {
            byte[] decoded = Base64.getDecoder().decode(authorization.substring(6).trim());
            return credentials.equals(new String(decoded, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = authorization.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    /**
     * Decodes an {@code application/x-www-form-urlencoded} body (UTF-8, {@code +} a space); the first
     * value of each name counts.
     *
     * @throws IllegalArgumentException on a malformed escape
     */
    static Map<String, String> form(byte[] body) {
        Map<String, String> form = new LinkedHashMap<>();
        if (body == null || body.length == 0) {
            return form;
        }
        for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
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

    /** A random (version 4 shaped) UUID from the simulator's generator, so that a seeded run repeats. */
    private String uuid() {
        long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    private Reply apiError(int status, String code, String message, Map<String, String> headers) {
        return new Reply(status, headers, apiErrorBody(status, code, message));
    }

    /** An API error in full: {@code message}, {@code code}, {@code status}, {@code contextId}, {@code details}, {@code errors}. */
    private String apiErrorBody(int status, String code, String message) {
        ObjectNode n = JSON.createObjectNode();
        n.put("message", message);
        n.put("code", code);
        n.put("status", status);
        n.put("contextId", uuid());
        n.putArray("details");
        n.putArray("errors");
        return n.toString();
    }

    /** An error with {@code message}, {@code code} and {@code status} only. */
    private static String shortError(int status, String code, String message) {
        ObjectNode n = JSON.createObjectNode();
        n.put("message", message);
        n.put("code", code);
        n.put("status", status);
        return n.toString();
    }

    private static Reply oauthError(int status, String error, String description, Map<String, String> headers) {
        ObjectNode n = JSON.createObjectNode();
        n.put("error", error);
        n.put("description", description);
        return new Reply(status, headers, n.toString());
    }

    /** Whole seconds, rounded up, at least 1. */
    private static long ceilSeconds(Duration d) {
        long nanos = Math.max(0, d.toNanos());
        return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
