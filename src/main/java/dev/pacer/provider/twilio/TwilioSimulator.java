package dev.pacer.provider.twilio;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.provider.ProviderSimulator;
import dev.pacer.provider.SimulatedCallbacks;
import dev.pacer.provider.SimulatorProperties;
import dev.pacer.provider.SimulatorServer;
import dev.pacer.provider.ToldWait;
import dev.pacer.provider.SimulatorServer.Reply;
import dev.pacer.provider.SimulatorServer.Request;
import dev.pacer.sms.Segments;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * A Twilio Programmable Messaging look-alike on a loopback port: {@code POST
 * /2010-04-01/Accounts/{AccountSid}/Messages.json}, form-encoded, with Basic {@code AccountSid:AuthToken};
 * Twilio's validation errors and their codes, and its two kinds of back-pressure:
 * <ul>
 *   <li>a queue per sender (the {@code From}, or the {@code MessagingServiceSid} when there is no
 *       {@code From}) that drains at {@code segmentsPerMinute} and holds {@code queueCapacity}
 *       segments: a message that does not fit is refused with HTTP 400, code 21611;</li>
 *   <li>with {@code concurrency} set, a limit on requests in progress at once: one over it is refused
 *       with HTTP 429, code 20429, and no {@code Retry-After}.</li>
 * </ul>
 * Neither tells a wait. It keeps score of what a well-behaved client should not do: requests for a
 * sender whose queue it has just found full (until the queue has room for the message it last refused
 * there), and the same message accepted twice. Twilio has no idempotency key, so a duplicate is
 * reckoned by a heuristic: the same {@code To} and {@code Body} accepted twice within
 * {@link #DUPLICATE_WINDOW}.
 *
 * <p>{@code GET .../Messages.json} searches the messages accepted (by {@code To}, {@code From} and the
 * UTC day of {@code date_created}: {@code DateSent}, {@code DateSent>} or {@code DateSent>=} on or after,
 * {@code DateSent<} or {@code DateSent<=} on or before, as Twilio's SDKs use them), and
 * {@code GET /2010-04-01/Accounts/{AccountSid}.json} checks the credentials; both are outside the
 * score.
 *
 * <p>Once {@code serve} tells it where ({@link #postReceipts}), it posts what Twilio posts to a
 * message's {@code StatusCallback}: {@code sent}, then {@code delivered}, or {@code undelivered} with
 * {@code ErrorCode} 30007 (filtered) or 30023 (a carrier's daily cap), some of them twice, each signed
 * with {@code X-Twilio-Signature} over the {@code StatusCallback} URL; and a STOP from a recipient who
 * answers STOP as Twilio's incoming-message webhook, signed over the same URL (Pacer's webhook for
 * the number). A message without a {@code StatusCallback} gets none, as at Twilio.
 *
 * <p>The HTTP front is a {@link SimulatorServer}; {@link #answer} is the model itself, usable without
 * HTTP on a fake clock. Over HTTP a request is in progress from its arrival, through the simulated
 * latency, until its answer is made; the model alone cannot overlap requests, so
 * {@link #inFlight(int)} pretends others are in progress.
 */
public final class TwilioSimulator implements ProviderSimulator {

    /**
     * The account the simulator serves, and its behaviour (see {@link SimulatorProperties}: it reads
     * {@code segmentsPerMinute} and {@code queueCapacity} per sender, {@code concurrency},
     * {@code serverErrorRate}, {@code latency} and {@code clockSkew}).
     */
    public record Settings(String accountSid, String authToken, SimulatorProperties properties) {
        public Settings {
            Objects.requireNonNull(accountSid, "accountSid");
            Objects.requireNonNull(authToken, "authToken");
            Objects.requireNonNull(properties, "properties");
            if (properties.segmentsPerMinute() < 1 || properties.queueCapacity() < 1) {
                throw new IllegalArgumentException("simulator segments-per-minute and queue-capacity must be at least 1");
            }
            if (properties.concurrency() < 0) {
                throw new IllegalArgumentException("simulator concurrency must be 0 or positive, got " + properties.concurrency());
            }
        }
    }

    /**
     * The simulator's score so far (message-creating requests only: the {@code GET}s are outside it).
     *
     * @param requests          requests other than {@code GET}
     * @param tooManyConcurrent requests refused with 20429 (over the concurrency limit)
     * @param queueFull         requests refused with 21611 (the sender's queue had no room)
     * @param insideFullQueue   requests for a sender after a 21611, before its queue had room for the
     *                          message refused (a well-behaved client holds that sender meanwhile)
     * @param rejected          requests refused as bad (400 other than 21611, 401, 404, 405)
     * @param duplicates        messages accepted with the same {@code To} and {@code Body} as one accepted
     *                          within the last 10 minutes (a heuristic: Twilio has no idempotency key)
     * @param firstRequestAt    when the first request came, or null
     * @param maxConcurrent     the most requests in progress at once (those preset with {@link #inFlight} included)
     */
    public record Stats(long requests, long accepted, long acceptedSegments, long tooManyConcurrent, long queueFull,
                        long insideFullQueue, long serverErrors, long rejected, long duplicates, Instant firstRequestAt,
                        int maxConcurrent) {
    }

    /**
     * Requests arriving this soon after a 21611 were on their way before it reached the client (another
     * thread's request, sent a moment earlier): not held against it.
     */
    /** The same {@code To} and {@code Body} accepted again within this long counts as a duplicate. */
    static final Duration DUPLICATE_WINDOW = Duration.ofMinutes(10);
    /** The longest {@code Body} taken. */
    static final int MAX_BODY = 1600;
    /** The longest {@code ValidityPeriod}, in seconds. */
    static final int MAX_VALIDITY = 36_000;
    private static final int LIST_CAPACITY = 200_000;
    private static final int DEFAULT_PAGE_SIZE = 50;
    private static final int MAX_PAGE_SIZE = 1000;
    private static final String API = "/2010-04-01/Accounts/";
    private static final Logger log = LoggerFactory.getLogger(TwilioSimulator.class);
    /** The number a messaging service picks from its pool, as the simulator has none (the valid From of Twilio's test credentials). */
    static final String SERVICE_NUMBER = "+15005550006";
    /** {@code RawDlrDoneDate}: the carrier's done date, to the minute, as Twilio passes it through. */
    private static final DateTimeFormatter DLR_DONE = DateTimeFormatter.ofPattern("yyMMddHHmm", Locale.US).withZone(ZoneOffset.UTC);
    private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{6,14}");
    /** A phone number, a short code or an alphanumeric sender ID. */
    private static final Pattern SENDER = Pattern.compile("\\+[1-9][0-9]{6,14}|[A-Za-z0-9 ]{1,11}");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** RFC 2822, as Twilio writes its dates: "Wed, 02 Dec 2026 03:40:00 +0000". */
    private static final DateTimeFormatter RFC_2822 = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.US)
            .withZone(ZoneOffset.UTC);
    /** IMF-fixdate (RFC 9110), for the {@code Date} header. */
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC);

    /** One accepted message, as the 201 and the message list show it. */
    private record Listed(String sid, String to, String from, String service, String body, int segments, Instant created,
                          String status) {
    }

    /** Why a create-message request is refused: Twilio's error code and message. */
    private record Refusal(int code, String message) {
    }

    /** One sender's queue at the provider. Guarded by the simulator. */
    private static final class SenderQueue {
        private double level;
        private Instant lastDrain;
        /** When the current full spell's first 21611 reached the client. */
        private Instant fullSince = Instant.EPOCH;
        /** When the queue has room for the message it last refused. */
        private Instant fullUntil = Instant.EPOCH;

        SenderQueue(Instant now) {
            this.lastDrain = now;
        }

        void drain(Instant now, double perSecond) {
            if (now.isAfter(lastDrain)) {
                double seconds = Duration.between(lastDrain, now).toNanos() / 1e9;
                level = Math.max(0, level - seconds * perSecond);
                lastDrain = now;
            }
        }
    }

    private final Settings settings;
    private final SimulatorProperties properties;
    private final Clock clock;
    private final RandomGenerator random;
    private final String credentials;
    private final String accountPath;
    private final String messagesPath;
    private final Map<String, SenderQueue> queues = new HashMap<>();
    /** When each recent {@code To} and {@code Body} pair was last accepted, oldest first. */
    private final LinkedHashMap<String, Instant> recent = new LinkedHashMap<>();
    /** What the message list holds: the messages accepted, up to {@link #LIST_CAPACITY}. */
    private final List<Listed> listed = new ArrayList<>();
    private final SimulatorServer server;
    /** The status callbacks and replies it posts, and where: none until {@link #postReceipts}. */
    private final SimulatedCallbacks callbacks;
    private boolean toldNoStatusCallback;

    private int inFlight;
    private int presetInFlight;
    private int maxConcurrent;
    private Instant firstRequestAt;
    private long requests, accepted, acceptedSegments, tooManyConcurrent, queueFull, insideFullQueue, serverErrors, rejected, duplicates;

    /** Starts the simulator on a free loopback port. */
    public TwilioSimulator(Settings settings, Clock clock, RandomGenerator random) throws IOException {
        this(settings, clock, random, true);
    }

    /** @param http false for the model alone, driven through {@link #answer} */
    public TwilioSimulator(Settings settings, Clock clock, RandomGenerator random, boolean http) throws IOException {
        this.settings = settings;
        this.properties = settings.properties();
        this.clock = clock;
        this.random = random;
        this.credentials = settings.accountSid() + ":" + settings.authToken();
        this.accountPath = API + settings.accountSid() + ".json";
        this.messagesPath = API + settings.accountSid() + "/Messages.json";
        this.callbacks = new SimulatedCallbacks("twilio", properties.receipts(), properties.replies(), random);
        // The latency is simulated here rather than by the server, so that a request is in progress through it.
        this.server = http ? new SimulatorServer("twilio", this::serve, reply -> { }, Duration.ZERO) : null;
    }

    @Override
    public URI baseUrl() {
        if (server == null) {
            throw new IllegalStateException("this simulator has no HTTP front");
        }
        return server.baseUrl();
    }

    /** The account served and the behaviour. */
    public Settings settings() {
        return settings;
    }

    /** The receipts to post from now on ({@code pacer.simulator.receipts.*}). */
    public void receipts(SimulatorProperties.Receipts receipts) {
        callbacks.receipts(receipts);
    }

    /** The replies to play from now on ({@code pacer.simulator.replies.*}). */
    public void replies(SimulatorProperties.Replies replies) {
        callbacks.replies(replies);
    }

    /** Twilio signs its posts rather than authenticating them: {@code authorization} is not sent. */
    @Override
    public boolean postReceipts(URI callbackUrl, String authorization) {
        return callbacks.postTo(callbackUrl, null);
    }

    /** Status callbacks and incoming messages posted so far (those posted twice counted twice). */
    public long callbacksPosted() {
        return callbacks.posted();
    }

    @Override
    public synchronized Stats stats() {
        return new Stats(requests, accepted, acceptedSegments, tooManyConcurrent, queueFull, insideFullQueue, serverErrors, rejected,
                duplicates, firstRequestAt, maxConcurrent);
    }

    /** When each message accepted so far was created (its {@code date_created}, on the simulator's clock). */
    public synchronized List<Instant> acceptedTimes() {
        return listed.stream().map(Listed::created).toList();
    }

    /**
     * Pretends {@code others} requests besides those it is answering are in progress, for the model
     * alone (whose callers cannot overlap): {@link #answer} then counts its request on top of them
     * against the concurrency limit. 0 clears it.
     */
    public synchronized void inFlight(int others) {
        if (others < 0) {
            throw new IllegalArgumentException("requests in flight cannot be negative, got " + others);
        }
        presetInFlight = others;
    }

    /**
     * Answers one request as the provider would, at the simulator clock's time. A request other than
     * a {@code GET} is in progress while it is answered, besides any set by {@link #inFlight(int)}.
     */
    public synchronized Reply answer(Request r) {
        boolean counted = counts(r);
        boolean tooMany = counted && arrive();
        try {
            return respond(r, tooMany);
        } finally {
            if (counted) {
                leave();
            }
        }
    }

    /**
     * The HTTP front's model: the request is in progress from its arrival, through the latency, until
     * its answer is made (outside the lock while it waits). Its answer may still be on its way to the
     * client then, which cannot send another in its place before it has it.
     */
    private Reply serve(Request r) {
        boolean counted = counts(r);
        boolean tooMany = counted && arrive();
        try {
            pause(properties.latency());
            return respond(r, tooMany);
        } finally {
            if (counted) {
                leave();
            }
        }
    }

    private static boolean counts(Request r) {
        return !"GET".equals(r.method());
    }

    /** A request arrives; true when it is over the concurrency limit. */
    private synchronized boolean arrive() {
        inFlight++;
        int concurrent = inFlight + presetInFlight;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        return properties.concurrency() > 0 && concurrent > properties.concurrency();
    }

    private synchronized void leave() {
        inFlight = Math.max(0, inFlight - 1);
    }

    private static void pause(Duration latency) {
        if (latency.isZero() || latency.isNegative()) {
            return;
        }
        try {
            Thread.sleep(latency.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized Reply respond(Request r, boolean tooMany) {
        Instant now = clock.instant();
        Instant providerNow = now.plus(properties.clockSkew());
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("Date", HTTP_DATE.format(providerNow));
        if ("GET".equals(r.method())) {
            return get(r, headers);
        }
        requests++;
        if (firstRequestAt == null) {
            firstRequestAt = now;
        }
        if (!authorized(r.authorization())) {
            rejected++;
            return error(401, 20003, "Authenticate", headers);
        }
        if (!messagesPath.equals(r.path())) {
            rejected++;
            return error(404, 20404, "The requested resource " + r.path() + " was not found", headers);
        }
        if (!"POST".equals(r.method())) {
            rejected++;
            return error(405, 20004, "Method not allowed", headers);
        }
        Map<String, String> form;
        try {
            form = isForm(r.contentType()) ? form(r.body()) : Map.<String, String>of();
        } catch (IllegalArgumentException e) {
            rejected++;
            return error(400, 20001, "The request body is not valid application/x-www-form-urlencoded", headers);
        }
        String from = emptyToNull(form.get("From"));
        String service = emptyToNull(form.get("MessagingServiceSid"));
        String sender = from != null ? from : service;
        SenderQueue queue = sender == null ? null : queues.get(sender);
        if (queue != null && now.isBefore(queue.fullUntil) && !now.isBefore(queue.fullSince.plus(ToldWait.IN_FLIGHT_GRACE))) {
            insideFullQueue++;
        }
        if (tooMany) {
            tooManyConcurrent++;
            return error(429, 20429, "Too Many Requests", headers);
        }
        Refusal refusal = check(form);
        if (refusal != null) {
            rejected++;
            return error(400, refusal.code(), refusal.message(), headers);
        }
        if (properties.serverErrorRate() > 0 && random.nextDouble() < properties.serverErrorRate()) {
            serverErrors++;
            return error(500, 20500, "Internal Server Error", headers);
        }
        String to = form.get("To");
        String body = form.getOrDefault("Body", "");
        int segments = Segments.count(body).segments();
        double perSecond = properties.segmentsPerMinute() / 60d;
        if (queue == null) {
            queue = new SenderQueue(now);
            queues.put(sender, queue);
        }
        queue.drain(now, perSecond);
        if (queue.level + segments > properties.queueCapacity()) {
            queueFull++;
            double excess = queue.level + segments - properties.queueCapacity();
            if (!now.isBefore(queue.fullUntil)) {
                queue.fullSince = now;
            }
            queue.fullUntil = now.plusNanos((long) Math.ceil(excess / perSecond * 1e9));
            return error(400, 21611, "This 'From' number has exceeded the maximum number of queued messages", headers);
        }
        queue.level += segments;
        accepted++;
        acceptedSegments += segments;
        if (duplicate(to, body, now)) {
            duplicates++;
        }
        String sid = String.format("SM%016x%016x", random.nextLong(), random.nextLong());
        Listed m = new Listed(sid, to, from, service, body, segments, providerNow, service != null ? "accepted" : "queued");
        if (listed.size() < LIST_CAPACITY) {
            listed.add(m);
        }
        if (callbacks.posting()) {
            scheduleCallbacks(m, emptyToNull(form.get("StatusCallback")), providerNow);
        }
        return new Reply(201, headers, message(m).toString());
    }

    /**
     * Posts what Twilio would post about a message it took: its status callbacks (the receipt) to
     * its {@code StatusCallback}, and a STOP its recipient answers with. They go to {@code serve}'s
     * own address, as through a proxy that the public URL names, signed over the URL Twilio was given.
     */
    private void scheduleCallbacks(Listed m, String statusCallback, Instant providerNow) {
        if (statusCallback == null) {
            if (!toldNoStatusCallback) {
                toldNoStatusCallback = true;
                log.warn("the twilio simulator took a message without a StatusCallback: it posts no receipt or reply for it, as Twilio would not "
                        + "(set pacer.public-url to have each send ask for them)");
            }
            return;
        }
        SimulatedCallbacks.Plan plan = callbacks.plan(m.to(), providerNow);
        String sender = m.from() != null ? m.from() : SERVICE_NUMBER;
        if (plan.receipt()) {
            Duration halfway = plan.receiptAfter().dividedBy(2);
            callbacks.post(halfway, signed(statusCallback, status(m, sender, "sent", null, null), m.sid() + "-sent"));
            String code = switch (plan.fate()) {
                case DELIVERED -> null;
                case FILTERED -> "30007";
                case CAPPED -> "30023";
            };
            // a carrier's receipt saying it did not reach the phone: undelivered, not failed (Twilio could send it)
            Map<String, String> done = status(m, sender, code == null ? "delivered" : "undelivered", code,
                    DLR_DONE.format(providerNow.plus(plan.receiptAfter())));
            HttpRequest receipt = signed(statusCallback, done, m.sid() + "-done");
            callbacks.post(plan.receiptAfter(), receipt);
            if (plan.twice()) {
                callbacks.post(plan.again(), receipt);
            }
        }
        if (plan.stop()) {
            String sid = String.format("SM%016x%016x", random.nextLong(), random.nextLong());
            Map<String, String> incoming = new LinkedHashMap<>();
            incoming.put("ToCountry", "US");
            incoming.put("SmsMessageSid", sid);
            incoming.put("NumMedia", "0");
            incoming.put("SmsSid", sid);
            incoming.put("SmsStatus", "received");
            incoming.put("Body", "STOP");
            incoming.put("To", sender);
            incoming.put("NumSegments", "1");
            incoming.put("MessageSid", sid);
            incoming.put("AccountSid", settings.accountSid());
            if (m.service() != null) {
                incoming.put("MessagingServiceSid", m.service());
            }
            incoming.put("From", m.to());
            incoming.put("ApiVersion", "2010-04-01");
            callbacks.post(plan.replyAfter(), signed(statusCallback, incoming, sid));
        }
    }

    /** A status callback's parameters, as Twilio names them: its standard ones, {@code MessageStatus} and {@code ErrorCode}. */
    private Map<String, String> status(Listed m, String sender, String status, String errorCode, String dlrDone) {
        Map<String, String> form = new LinkedHashMap<>();
        if (errorCode != null) {
            form.put("ErrorCode", errorCode);
        }
        form.put("SmsSid", m.sid());
        form.put("SmsStatus", status);
        form.put("MessageStatus", status);
        form.put("To", m.to());
        if (m.service() != null) {
            form.put("MessagingServiceSid", m.service());
        }
        form.put("MessageSid", m.sid());
        form.put("AccountSid", settings.accountSid());
        form.put("From", sender);
        form.put("ApiVersion", "2010-04-01");
        if (dlrDone != null) {
            form.put("RawDlrDoneDate", dlrDone);
        }
        return form;
    }

    /**
     * A form post to {@code serve}, signed as Twilio signs: Base64 HMAC-SHA1, keyed with the auth
     * token, of {@code url} and each parameter's name and value sorted by name.
     *
     * @param idempotency what Twilio's {@code I-Twilio-Idempotency-Token} names: the same on a post made again
     */
    private HttpRequest signed(String url, Map<String, String> form, String idempotency) {
        return HttpRequest.newBuilder(callbacks.to())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("User-Agent", "TwilioProxy/1.1")
                .header("I-Twilio-Idempotency-Token", idempotency)
                .header("X-Twilio-Signature", TwilioApi.signature(settings.authToken(), url, new TreeMap<>(form)))
                .POST(HttpRequest.BodyPublishers.ofString(TwilioApi.encode(form)))
                .build();
    }

    /** What is wrong with a create-message request, in Twilio's codes; null when nothing. */
    private static Refusal check(Map<String, String> form) {
        String to = form.get("To");
        if (to == null || to.isEmpty()) {
            return new Refusal(21604, "A 'To' phone number is required.");
        }
        if (!E164.matcher(to).matches()) {
            return new Refusal(21211, "The 'To' number " + to + " is not a valid phone number.");
        }
        String from = emptyToNull(form.get("From"));
        if (from == null && emptyToNull(form.get("MessagingServiceSid")) == null) {
            return new Refusal(21603, "A 'From' or 'MessagingServiceSid' parameter is required");
        }
        if (from != null && !SENDER.matcher(from).matches()) {
            return new Refusal(21212, "The 'From' number " + from + " is not a valid phone number, shortcode, or alphanumeric sender ID.");
        }
        String body = emptyToNull(form.get("Body"));
        if (body == null && emptyToNull(form.get("MediaUrl")) == null) {
            return new Refusal(21602, "Message body is required.");
        }
        if (body != null && body.length() > MAX_BODY) {
            return new Refusal(21617, "The concatenated message body exceeds the " + MAX_BODY + " character limit.");
        }
        String validity = form.get("ValidityPeriod");
        if (validity != null) {
            try {
                int seconds = Integer.parseInt(validity.trim());
                if (seconds < 1 || seconds > MAX_VALIDITY) {
                    return new Refusal(21609, "Invalid ValidityPeriod");
                }
            } catch (NumberFormatException e) {
                return new Refusal(21609, "Invalid ValidityPeriod");
            }
        }
        return null;
    }

    /** Whether the same {@code To} and {@code Body} was accepted within {@link #DUPLICATE_WINDOW}; remembers this one. */
    private boolean duplicate(String to, String body, Instant now) {
        Instant cutoff = now.minus(DUPLICATE_WINDOW);
        Iterator<Map.Entry<String, Instant>> oldest = recent.entrySet().iterator();
        while (oldest.hasNext() && oldest.next().getValue().isBefore(cutoff)) {
            oldest.remove();
        }
        String key = to + '\u0000' + body;
        Instant last = recent.remove(key);
        recent.put(key, now);
        return last != null && !last.isBefore(cutoff);
    }

    /** The {@code GET}s: the message list and the account, outside the score but behind the credentials. */
    private Reply get(Request r, Map<String, String> headers) {
        if (!authorized(r.authorization())) {
            return error(401, 20003, "Authenticate", headers);
        }
        if (messagesPath.equals(r.path())) {
            return list(r.query() == null ? Map.<String, String>of() : r.query(), headers);
        }
        if (accountPath.equals(r.path())) {
            ObjectNode account = JSON.createObjectNode();
            account.put("sid", settings.accountSid());
            account.put("status", "active");
            account.put("friendly_name", "Pacer simulator");
            account.put("type", "Full");
            account.put("uri", accountPath);
            return new Reply(200, headers, account.toString());
        }
        return error(404, 20404, "The requested resource " + r.path() + " was not found", headers);
    }

    /** The message list's first page for a search, newest first. */
    private Reply list(Map<String, String> query, Map<String, String> headers) {
        LocalDate on;
        LocalDate onOrAfter;
        LocalDate onOrBefore;
        int pageSize;
        try {
            on = day(query.get("DateSent"));
            onOrAfter = later(day(query.get("DateSent>")), day(query.get("DateSent>=")));
            onOrBefore = earlier(day(query.get("DateSent<")), day(query.get("DateSent<=")));
        } catch (DateTimeParseException e) {
            return error(400, 20001, "Invalid DateSent: use YYYY-MM-DD", headers);
        }
        try {
            pageSize = query.containsKey("PageSize") ? Integer.parseInt(query.get("PageSize").trim()) : DEFAULT_PAGE_SIZE;
        } catch (NumberFormatException e) {
            return error(400, 20001, "Invalid PageSize", headers);
        }
        pageSize = Math.max(1, Math.min(MAX_PAGE_SIZE, pageSize));
        String to = query.get("To");
        String from = query.get("From");
        ArrayNode messages = JSON.createArrayNode();
        for (int i = listed.size() - 1; i >= 0 && messages.size() < pageSize; i--) {
            Listed m = listed.get(i);
            LocalDate created = LocalDate.ofInstant(m.created(), ZoneOffset.UTC);
            boolean matches = (to == null || to.equals(m.to())) && (from == null || from.equals(m.from()))
                    && (on == null || on.equals(created))
                    && (onOrAfter == null || !created.isBefore(onOrAfter))
                    && (onOrBefore == null || !created.isAfter(onOrBefore));
            if (matches) {
                messages.add(message(m));
            }
        }
        String uri = messagesPath + "?PageSize=" + pageSize + "&Page=0";
        ObjectNode page = JSON.createObjectNode();
        page.set("messages", messages);
        page.put("page", 0);
        page.put("page_size", pageSize);
        page.put("first_page_uri", uri);
        page.putNull("next_page_uri");
        page.putNull("previous_page_uri");
        page.put("start", 0);
        page.put("end", Math.max(0, messages.size() - 1));
        page.put("uri", uri);
        return new Reply(200, headers, page.toString());
    }

    /** A {@code YYYY-MM-DD} (a date-time's day too); a leading {@code =} is what an unencoded {@code DateSent<=} leaves. */
    private static LocalDate day(String value) {
        if (value == null) {
            return null;
        }
        String v = value.trim();
        if (v.startsWith("=")) {
            v = v.substring(1).trim();
        }
        if (v.isEmpty()) {
            return null;
        }
        return LocalDate.parse(v.length() > 10 ? v.substring(0, 10) : v);
    }

    private static LocalDate later(LocalDate a, LocalDate b) {
        return a == null ? b : b == null || a.isAfter(b) ? a : b;
    }

    private static LocalDate earlier(LocalDate a, LocalDate b) {
        return a == null ? b : b == null || a.isBefore(b) ? a : b;
    }

    /** A message as Twilio's 201 and message list show it. */
    private ObjectNode message(Listed m) {
        ObjectNode n = JSON.createObjectNode();
        n.put("sid", m.sid());
        n.put("account_sid", settings.accountSid());
        n.put("to", m.to());
        n.put("from", m.from());
        n.put("messaging_service_sid", m.service());
        n.put("body", m.body());
        n.put("status", m.status());
        n.put("num_segments", Integer.toString(m.segments()));
        n.put("num_media", "0");
        n.put("direction", "outbound-api");
        n.put("api_version", "2010-04-01");
        n.put("date_created", RFC_2822.format(m.created()));
        n.put("date_updated", RFC_2822.format(m.created()));
        n.putNull("date_sent");
        n.putNull("error_code");
        n.putNull("error_message");
        n.putNull("price");
        n.put("price_unit", "USD");
        n.put("uri", API + settings.accountSid() + "/Messages/" + m.sid() + ".json");
        return n;
    }

    /** An error as Twilio writes it: {@code {"code", "message", "more_info", "status"}}. */
    private static Reply error(int status, int code, String message, Map<String, String> headers) {
        ObjectNode n = JSON.createObjectNode();
        n.put("code", code);
        n.put("message", message);
        n.put("more_info", "https://www.twilio.com/docs/errors/" + code);
        n.put("status", status);
        return new Reply(status, headers, n.toString());
    }

    private boolean authorized(String authorization) {
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

    /** Twilio reads the form only; with another content type the parameters are missing. */
    private static boolean isForm(String contentType) {
        return contentType == null || contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
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

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    @Override
    public void close() {
        callbacks.close();
        if (server != null) {
            server.close();
        }
    }
}
