package dev.pacer.provider.bandwidth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.provider.Callback;
import dev.pacer.provider.OutgoingMessage;
import dev.pacer.provider.ProviderEvent;
import dev.pacer.provider.ProviderAccount;
import dev.pacer.provider.InvalidAccountException;
import dev.pacer.provider.Lookup;
import dev.pacer.provider.SendInDoubt;
import dev.pacer.provider.ProviderApi;
import dev.pacer.provider.ProviderRequest;
import dev.pacer.provider.ProviderSimulator;
import dev.pacer.provider.SendResult;
import dev.pacer.provider.SimulatorProperties;
import dev.pacer.retry.WaitBounds;
import dev.pacer.throttle.Priority;
import dev.pacer.throttle.ScopeLimit;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Bandwidth Messaging API v2: {@code POST /api/v2/users/{accountId}/messages} with HTTP Basic
 * credentials and a JSON body; limits count segments; a 429 names no {@code Retry-After} but its
 * body states the account's rate and queue capacity.
 */
public class BandwidthApi implements ProviderApi {

    public static final String TYPE = "bandwidth";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How far either side of a send the message list is searched, for the two clocks' skew. */
    static final Duration LOOKUP_SKEW = Duration.ofMinutes(1);

    private final BandwidthResponses responses;

    /**
     * @param bounds       what any wait the provider tells is clamped to
     * @param fallbackWait the wait after a 429 that names none and states no rate
     */
    public BandwidthApi(WaitBounds bounds, Duration fallbackWait) {
        this.responses = new BandwidthResponses(bounds, fallbackWait);
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
    public void check(ProviderAccount account) {
        String prefix = "pacer.providers." + account.name();
        if (account.settings().username() == null || account.settings().password() == null) {
            throw new InvalidAccountException(prefix + ": username and password are required with a base-url (set "
                    + prefix + ".username and .password, or PACER_PROVIDERS_" + account.name().toUpperCase(java.util.Locale.ROOT)
                    + "_USERNAME and _PASSWORD)");
        }
        if (blank(account.settings().accountId()) || blank(account.settings().applicationId())) {
            throw new InvalidAccountException(prefix + ": account-id and application-id are required");
        }
    }

    @Override
    public ProviderRequest request(OutgoingMessage m, ProviderAccount account) {
        ObjectNode body = JSON.createObjectNode();
        body.put("applicationId", account.settings().applicationId());
        body.putArray("to").add(m.to());
        body.put("from", m.from());
        body.put("text", m.text());
        body.put("tag", m.key());
        body.put("priority", m.priority() == Priority.REALTIME ? "high" : "default");
        if (m.deadline() != null) {
            body.put("expiration", m.deadline().truncatedTo(ChronoUnit.MILLIS).toString());
        }
        return ProviderRequest.post(messages(account), "application/json; charset=utf-8", authorization(account), body.toString());
    }

    /** The message list, one page of one message: a 401 or 403 if the credentials are refused. */
    @Override
    public Optional<ProviderRequest> credentialCheck(ProviderAccount account) {
        return Optional.of(ProviderRequest.get(messages(account) + "?limit=1", authorization(account)));
    }

    /**
     * The message list searched by sender, recipient and the time Bandwidth received a message
     * ({@code fromDateTime}, {@code toDateTime}), from a minute before the request went out (for the
     * two clocks' skew) to a minute after now.
     */
    @Override
    public Optional<ProviderRequest> lookup(SendInDoubt send, ProviderAccount account, Instant now) {
        String query = "sourceTn=" + encode(send.from()) + "&destinationTn=" + encode(send.to()) + "&messageDirection=OUTBOUND"
                + "&fromDateTime=" + encode(send.startedAt().minus(LOOKUP_SKEW).truncatedTo(ChronoUnit.MILLIS).toString())
                + "&toDateTime=" + encode(now.plus(LOOKUP_SKEW).truncatedTo(ChronoUnit.MILLIS).toString()) + "&limit=10";
        return Optional.of(ProviderRequest.get(messages(account) + "?" + query, authorization(account)));
    }

    /** A 200 names the messages found ({@code totalCount}, {@code messages[].messageId}); anything else cannot tell. */
    @Override
    public Lookup readLookup(int status, String body, SendInDoubt send) {
        if (status != 200) {
            return Lookup.unknown("the message list answered " + (status == 0 ? "nothing" : status));
        }
        try {
            JsonNode list = JSON.readTree(body == null ? "" : body);
            JsonNode messages = list == null ? null : list.get("messages");
            if (messages == null || !messages.isArray()) {
                return Lookup.unknown("the message list's answer has no messages");
            }
            for (JsonNode m : messages) {
                if (send.to().equals(m.path("destinationTn").asText()) && send.from().equals(m.path("sourceTn").asText())
                        && !m.path("messageId").asText("").isEmpty()) {
                    return Lookup.found(m.path("messageId").asText(), "Bandwidth lists it (" + m.path("messageStatus").asText("status unknown")
                            + ", received " + m.path("receiveTime").asText("at an unknown time") + ")");
                }
            }
            return Lookup.none("Bandwidth lists no message from " + send.from() + " to " + send.to() + " since " + send.startedAt().minus(LOOKUP_SKEW));
        } catch (IOException e) {
            return Lookup.unknown("the message list's answer is not JSON");
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String messages(ProviderAccount account) {
        return "/api/v2/users/" + account.settings().accountId() + "/messages";
    }

    private static Map<String, String> authorization(ProviderAccount account) {
        String credentials = account.settings().username() + ":" + account.settings().password();
        return Map.of("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public SendResult read(int status, Function<String, String> header, String body, OutgoingMessage message, Instant now) {
        return responses.read(status, header, body, message.segments(), now);
    }

    /**
     * Bandwidth's callbacks carry the application's callback credentials as HTTP Basic
     * ({@code callback-username}, {@code callback-password}), compared in constant time; an account
     * without them refuses every callback.
     */
    @Override
    public Optional<CallbackRefusal> refusesCallback(ProviderAccount account, Callback callback) {
        String user = account.settings().callbackUsername();
        String password = account.settings().callbackPassword();
        if (blank(user) || blank(password)) {
            return Optional.of(new CallbackRefusal(401, "pacer.providers." + account.name() + " has no callback-username and "
                    + "callback-password (the Bandwidth application's callback credentials): every callback is refused"));
        }
        String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        String given = callback.header().apply("Authorization");
        if (given == null || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8))) {
            return Optional.of(new CallbackRefusal(401, "the callback's credentials are missing or wrong"));
        }
        return Optional.empty();
    }

    /**
     * A JSON array of events: {@code message-delivered} and {@code message-failed} (with its
     * {@code errorCode}) are receipts, {@code message-received} a reply; the rest ({@code message-sending},
     * {@code message-sent}, {@code message-read}) tell nothing final.
     */
    @Override
    public List<ProviderEvent> events(Callback callback, Instant now) {
        List<ProviderEvent> events = new ArrayList<>();
        JsonNode array;
        try {
            array = JSON.readTree(callback.body() == null ? "" : callback.body());
        } catch (IOException e) {
            return events;
        }
        if (array == null || !array.isArray()) {
            return events;
        }
        for (JsonNode e : array) {
            JsonNode m = e.path("message");
            Instant at = instant(e.path("time").asText(null), now);
            String type = e.path("type").asText("");
            String id = m.path("id").asText(null);
            switch (type) {
                case "message-delivered", "message-failed" -> {
                    if (id != null) {
                        events.add(new ProviderEvent.Receipt(id, m.path("tag").asText(null), e.path("to").asText(null),
                                type.equals("message-delivered"), e.hasNonNull("errorCode") ? e.get("errorCode").asText() : null,
                                e.path("description").asText(null), at));
                    }
                }
                case "message-received" -> events.add(new ProviderEvent.Reply(id, m.path("from").asText(null),
                        e.path("to").asText(m.path("owner").asText(null)), m.path("text").asText(""), at));
                default -> {
                    // an intermediate state: nothing final to record
                }
            }
        }
        return events;
    }

    private static Instant instant(String text, Instant otherwise) {
        try {
            return text == null ? otherwise : Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            return otherwise;
        }
    }

    @Override
    public ProviderSimulator simulate(ProviderAccount account, SimulatorProperties settings, Clock clock) throws IOException {
        BandwidthSimulator simulator = new BandwidthSimulator(new BandwidthSimulator.Settings(account.settings().accountId(),
                account.settings().username(), account.settings().password(), settings), clock, new SplittableRandom());
        simulator.receipts(settings.receipts());
        simulator.replies(settings.replies());
        return simulator;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
