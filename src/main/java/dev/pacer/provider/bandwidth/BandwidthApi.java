package dev.pacer.provider.bandwidth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.provider.OutgoingMessage;
import dev.pacer.provider.ProviderAccount;
import dev.pacer.provider.InvalidAccountException;
import dev.pacer.provider.ProviderApi;
import dev.pacer.provider.ProviderRequest;
import dev.pacer.provider.ProviderSimulator;
import dev.pacer.provider.SendResult;
import dev.pacer.provider.SimulatorProperties;
import dev.pacer.retry.WaitBounds;
import dev.pacer.throttle.Priority;
import dev.pacer.throttle.ScopeLimit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

    @Override
    public ProviderSimulator simulate(ProviderAccount account, SimulatorProperties settings, Clock clock) throws IOException {
        return new BandwidthSimulator(new BandwidthSimulator.Settings(account.settings().accountId(), account.settings().username(),
                account.settings().password(), settings), clock, new SplittableRandom());
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
