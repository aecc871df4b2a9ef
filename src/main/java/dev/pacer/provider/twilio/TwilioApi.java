package dev.pacer.provider.twilio;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pacer.provider.Callback;
import dev.pacer.provider.InvalidAccountException;
import dev.pacer.provider.ProviderEvent;
import dev.pacer.provider.Lookup;
import dev.pacer.provider.OutgoingMessage;
import dev.pacer.provider.ProviderAccount;
import dev.pacer.provider.ProviderApi;
import dev.pacer.provider.ProviderProperties;
import dev.pacer.provider.ProviderRequest;
import dev.pacer.provider.ProviderSimulator;
import dev.pacer.provider.SendInDoubt;
import dev.pacer.provider.JsonBodies;
import dev.pacer.provider.SendResult;
import dev.pacer.provider.SimulatorProperties;
import dev.pacer.retry.RateLimitHeaders;
import dev.pacer.retry.RetryAfter;
import dev.pacer.retry.WaitBounds;
import dev.pacer.throttle.ScopeLimit;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Twilio Programmable Messaging: {@code POST /2010-04-01/Accounts/{AccountSid}/Messages.json},
 * form-encoded, with HTTP Basic {@code AccountSid:AuthToken}; 201 is accepted, and limits count
 * segments. Two answers are back-pressure, not a bad message: HTTP 400 with code 21611 (the sender's
 * queue at Twilio is full: that sender is held and the message tried again) and HTTP 429 with code
 * 20429 (too many requests at once: the account takes fewer in flight, its rate is left alone).
 * Each sender number has a queue of its own, so each is a scope of its own.
 */
public class TwilioApi implements ProviderApi {

    public static final String TYPE = "twilio";
    /** Twilio's longest {@code ValidityPeriod}, in seconds (10 hours). */
    static final long MAX_VALIDITY_SECONDS = 36_000;
    /** The longest {@code Body} Twilio takes. */
    static final int MAX_BODY = 1600;
    /** How far before a send the message list is searched, for the two clocks' skew. */
    static final Duration LOOKUP_SKEW = Duration.ofMinutes(1);
    /** The code of a 400 that says the sender's queue at Twilio is full. */
    public static final String QUEUE_FULL = "21611";
    /** The code of a 429 that says too many requests were in flight at once. */
    public static final String TOO_MANY_CONCURRENT = "20429";
    private static final DateTimeFormatter DAY = DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC);

    private final WaitBounds bounds;
    private final Duration fallbackWait;
    private final Clock clock;
    private final String publicUrl;

    /**
     * @param bounds       what any wait the provider tells is clamped to
     * @param fallbackWait the wait after a full sender queue or a 429 that names none
     * @param publicUrl    where the provider can reach this server ({@code pacer.public-url}), or null: each send
     *                     then asks for its status callbacks at {@code /callbacks/NAME} there
     */
    public TwilioApi(WaitBounds bounds, Duration fallbackWait, Clock clock, String publicUrl) {
        this.bounds = bounds;
        this.fallbackWait = fallbackWait;
        this.clock = clock;
        this.publicUrl = publicUrl == null || publicUrl.isBlank() ? null : publicUrl.replaceAll("/+$", "");
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ScopeLimit.Unit accountUnit() {
        return ScopeLimit.Unit.SEGMENTS;
    }

    @Override
    public String accountId(ProviderProperties settings) {
        return settings.accountSid() == null ? settings.accountId() : settings.accountSid();
    }

    @Override
    public boolean senderQueues() {
        return true;
    }

    @Override
    public Optional<String> refuses(String text, int segments) {
        return text.length() > MAX_BODY
                ? Optional.of("Twilio takes at most " + MAX_BODY + " characters, the text has " + text.length())
                : Optional.empty();
    }

    @Override
    public void check(ProviderAccount account) {
        String prefix = "pacer.providers." + account.name();
        ProviderProperties p = account.settings();
        if (blank(p.accountSid()) || blank(p.authToken())) {
            throw new InvalidAccountException(prefix + ": account-sid and auth-token are required with a base-url (set " + prefix
                    + ".account-sid and .auth-token, or PACER_PROVIDERS_" + account.name().toUpperCase(Locale.ROOT)
                    + "_ACCOUNT_SID and _AUTH_TOKEN)");
        }
        if (!p.accountSid().matches("AC[0-9A-Za-z]{1,64}")) {
            throw new InvalidAccountException(prefix + ".account-sid must start with AC, got '" + p.accountSid() + "'");
        }
        if (!blank(p.messagingServiceSid()) && !p.messagingServiceSid().startsWith("MG")) {
            throw new InvalidAccountException(prefix + ".messaging-service-sid must start with MG, got '" + p.messagingServiceSid() + "'");
        }
    }

    @Override
    public ProviderRequest request(OutgoingMessage m, ProviderAccount account) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("To", m.to());
        String service = account.settings().messagingServiceSid();
        if (blank(service)) {
            form.put("From", m.from());
        } else {
            form.put("MessagingServiceSid", service);
        }
        form.put("Body", m.text());
        if (publicUrl != null) {
            form.put("StatusCallback", publicUrl + "/callbacks/" + account.name());
        }
        validity(m.deadline()).ifPresent(seconds -> form.put("ValidityPeriod", Long.toString(seconds)));
        return ProviderRequest.post(messages(account), "application/x-www-form-urlencoded; charset=utf-8", authorization(account),
                encode(form));
    }

    /**
     * The seconds left to the deadline, 1 to 36,000; none without a deadline, or with one further off
     * than Twilio's longest validity (its default).
     */
    Optional<Long> validity(Instant deadline) {
        if (deadline == null) {
            return Optional.empty();
        }
        long seconds = Duration.between(clock.instant(), deadline).getSeconds();
        return seconds > MAX_VALIDITY_SECONDS ? Optional.empty() : Optional.of(Math.max(1, seconds));
    }

    /** The account itself ({@code GET .../Accounts/{AccountSid}.json}): a 401 if the credentials are refused. */
    @Override
    public Optional<ProviderRequest> credentialCheck(ProviderAccount account) {
        return Optional.of(ProviderRequest.get("/2010-04-01/Accounts/" + account.settings().accountSid() + ".json",
                authorization(account)));
    }

    /**
     * The message list searched by recipient, sender (unless the account sends through a messaging
     * service, which picks the number) and the day the send went out ({@code DateSent>}: on or after).
     */
    @Override
    public Optional<ProviderRequest> lookup(SendInDoubt send, ProviderAccount account, Instant now) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("To", send.to());
        if (blank(account.settings().messagingServiceSid())) {
            query.put("From", send.from());
        }
        query.put("DateSent>", DAY.format(send.startedAt().minus(LOOKUP_SKEW)));
        query.put("PageSize", "20");
        return Optional.of(ProviderRequest.get(messages(account) + "?" + encode(query), authorization(account)));
    }

    /** A 200 lists {@code messages[]}; one to the recipient created since the send went out (less the skew) settles it. */
    @Override
    public Lookup readLookup(int status, String body, SendInDoubt send) {
        if (status != 200) {
            return Lookup.unknown("the message list answered " + (status == 0 ? "nothing" : status));
        }
        JsonNode messages = java.util.Optional.ofNullable(JsonBodies.object(body)).map(n -> n.get("messages")).orElse(null);
        if (messages == null || !messages.isArray()) {
            return Lookup.unknown("the message list's answer has no messages");
        }
        Instant since = send.startedAt().minus(LOOKUP_SKEW);
        for (JsonNode m : messages) {
            Optional<Instant> created = rfc2822(m.path("date_created").asText(""));
            if (send.to().equals(m.path("to").asText()) && !m.path("sid").asText("").isEmpty()
                    && "outbound-api".equals(m.path("direction").asText("outbound-api"))
                    && created.map(c -> !c.isBefore(since)).orElse(true)) {
                return Lookup.found(m.path("sid").asText(), "Twilio lists it (" + m.path("status").asText("status unknown")
                        + ", created " + m.path("date_created").asText("at an unknown time") + ")");
            }
        }
        return Lookup.none("Twilio lists no message to " + send.to() + " since " + since);
    }

    @Override
    public SendResult read(int status, Function<String, String> header, String body, OutgoingMessage message, Instant now) {
        JsonNode json = JsonBodies.object(body);
        String code = JsonBodies.text(json, "code");
        String description = JsonBodies.text(json, "message");
        SendResult result;
        if (status >= 200 && status < 300) {
            String sid = JsonBodies.text(json, "sid");
            if (sid == null) {
                return SendResult.lost(status, "answer-cut-short", "the answer has no message sid");
            }
            result = SendResult.accepted(status, sid, integer(JsonBodies.text(json, "num_segments")));
        } else if (status == 429) {
            Optional<Duration> told = RetryAfter.parse(header.apply("Retry-After"), header.apply("Date"), now).map(bounds::clamp);
            // 20429: never processed, safe to send again at once, with fewer in flight; any other 429 waits
            Duration wait = told.orElse(TOO_MANY_CONCURRENT.equals(code) ? null : bounds.clamp(fallbackWait));
            result = SendResult.rateLimited(status, wait, "too-many-requests", description);
        } else if (status == 400 && QUEUE_FULL.equals(code)) {
            // the sender's queue holds 10 hours of sending: it is held, not the message refused
            result = SendResult.rateLimited(status, bounds.clamp(fallbackWait), "queue-full", description);
        } else if (status >= 500 || status == 408) {
            Duration told = RetryAfter.parse(header.apply("Retry-After"), header.apply("Date"), now).map(bounds::clamp).orElse(null);
            result = new SendResult(status, told, null, null, "server-error", description);
        } else {
            result = SendResult.failed(status, status == 401 ? "unauthorized" : "rejected", description);
        }
        return result.withErrorCode(code).withQuota(RateLimitHeaders.read(header, now).orElse(null));
    }

    /**
     * Twilio signs each callback: {@code X-Twilio-Signature} is the Base64 HMAC-SHA1, keyed with the
     * auth token, of the URL it posted to followed by each form parameter's name and value, sorted by
     * name. The URL is {@code pacer.public-url} + {@code /callbacks/NAME}, so without it every
     * callback is refused.
     */
    @Override
    public Optional<CallbackRefusal> refusesCallback(ProviderAccount account, Callback callback) {
        if (blank(account.settings().authToken())) {
            return Optional.of(new CallbackRefusal(401, "pacer.providers." + account.name() + " has no auth-token to check signatures with"));
        }
        if (callback.publicUrl() == null) {
            return Optional.of(new CallbackRefusal(403, "pacer.public-url is not set: Twilio's signatures cannot be checked"));
        }
        String given = callback.header().apply("X-Twilio-Signature");
        if (given == null) {
            return Optional.of(new CallbackRefusal(403, "the callback is not signed (no X-Twilio-Signature)"));
        }
        String expected = signature(account.settings().authToken(), callback.publicUrl(), callback.form());
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8))) {
            return Optional.of(new CallbackRefusal(403, "the callback's X-Twilio-Signature does not match"));
        }
        return Optional.empty();
    }

    /** Twilio's signature of a form post to {@code url}. */
    public static String signature(String authToken, String url, Map<String, String> form) {
        StringBuilder data = new StringBuilder(url);
        new java.util.TreeMap<>(form).forEach((name, value) -> data.append(name).append(value));
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA1 is not available", e);
        }
    }

    /**
     * A status callback ({@code MessageStatus} {@code delivered}, or {@code undelivered} and
     * {@code failed} with their {@code ErrorCode}) is a receipt; an incoming message ({@code Body},
     * status {@code received}) a reply; other states ({@code queued}, {@code sent}...) tell nothing final.
     */
    @Override
    public List<ProviderEvent> events(Callback callback, Instant now) {
        Map<String, String> form = callback.form();
        String sid = form.get("MessageSid");
        String status = form.getOrDefault("MessageStatus", form.get("SmsStatus"));
        if (sid == null) {
            return List.of();
        }
        if (form.containsKey("Body") && (status == null || "received".equals(status))) {
            return List.of(new ProviderEvent.Reply(sid, form.get("From"), form.get("To"), form.get("Body"), now));
        }
        if ("delivered".equals(status)) {
            return List.of(new ProviderEvent.Receipt(sid, null, form.get("To"), true, null, "delivered", now));
        }
        if ("undelivered".equals(status) || "failed".equals(status)) {
            String code = form.get("ErrorCode");
            return List.of(new ProviderEvent.Receipt(sid, null, form.get("To"), false, code == null || code.isBlank() ? null : code,
                    status, now));
        }
        return List.of();
    }

    @Override
    public ProviderSimulator simulate(ProviderAccount account, SimulatorProperties settings, Clock clock) throws IOException {
        return new TwilioSimulator(new TwilioSimulator.Settings(account.settings().accountSid(), account.settings().authToken(), settings),
                clock, new SplittableRandom());
    }

    private static String messages(ProviderAccount account) {
        return "/2010-04-01/Accounts/" + account.settings().accountSid() + "/Messages.json";
    }

    private static Map<String, String> authorization(ProviderAccount account) {
        String credentials = account.settings().accountSid() + ":" + account.settings().authToken();
        return Map.of("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
    }

    static String encode(Map<String, String> form) {
        return form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private static Optional<Instant> rfc2822(String date) {
        try {
            return Optional.of(ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static Integer integer(String s) {
        try {
            return s == null ? null : Integer.valueOf(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
