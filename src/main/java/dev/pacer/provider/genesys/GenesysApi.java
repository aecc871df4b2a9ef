package dev.pacer.provider.genesys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.provider.CredentialUnavailableException;
import dev.pacer.provider.InvalidAccountException;
import dev.pacer.provider.OutgoingMessage;
import dev.pacer.provider.ProviderAccount;
import dev.pacer.provider.ProviderApi;
import dev.pacer.provider.ProviderProperties;
import dev.pacer.provider.ProviderRequest;
import dev.pacer.provider.ProviderSimulator;
import dev.pacer.provider.JsonBodies;
import dev.pacer.provider.SendResult;
import dev.pacer.provider.SimulatorProperties;
import dev.pacer.retry.ProviderHints;
import dev.pacer.retry.RateLimitHeaders;
import dev.pacer.retry.RetryAfter;
import dev.pacer.retry.WaitBounds;
import dev.pacer.throttle.ScopeLimit;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Genesys Cloud's agentless messages: {@code POST /api/v2/conversations/messages/agentless} with
 * an OAuth bearer token ({@link GenesysTokens}) and a JSON body. Limits count requests, per OAuth
 * client ({@code requests-per-minute}); every answer reports the client's window in
 * {@code inin-ratelimit-*} headers, which Pacer reads to slow down before a 429. A 429 tells its
 * wait twice, in {@code Retry-After} and in its body ("Retry the request in [N] seconds"), and the
 * two may disagree: the longer is kept. A 401 may only mean the token expired: the route renews it
 * once and sends again.
 */
public class GenesysApi implements ProviderApi {

    public static final String TYPE = "genesys";
    /** The longest SMS text Genesys Cloud takes. */
    public static final int MAX_TEXT = 765;
    static final String PATH = "/api/v2/conversations/messages/agentless";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WaitBounds bounds;
    private final Duration fallbackWait;
    private final GenesysTokens tokens;

    public GenesysApi(WaitBounds bounds, Duration fallbackWait, GenesysTokens tokens) {
        this.bounds = bounds;
        this.fallbackWait = fallbackWait;
        this.tokens = tokens;
    }

    /**
     * Genesys Cloud's agentless messages come with no delivery callback (its notifications are a
     * WebSocket or event-bridge subscription of the organisation's, not a webhook per message): a
     * message it took ends {@code ACCEPTED}, without waiting out the receipt timeout.
     */
    @Override
    public boolean postsReceipts() {
        return false;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ScopeLimit.Unit accountUnit() {
        return ScopeLimit.Unit.REQUESTS;
    }

    /** The account's scope is its OAuth client's: Genesys Cloud's limits are per client. */
    @Override
    public String accountId(ProviderProperties settings) {
        return settings.clientId() == null ? settings.accountId() : settings.clientId();
    }

    @Override
    public Optional<String> refuses(String text, int segments) {
        return text.length() > MAX_TEXT
                ? Optional.of("Genesys Cloud takes at most " + MAX_TEXT + " characters in an SMS, the text has " + text.length())
                : Optional.empty();
    }

    @Override
    public void check(ProviderAccount account) {
        String prefix = "pacer.providers." + account.name();
        ProviderProperties p = account.settings();
        if (blank(p.clientId()) || blank(p.clientSecret())) {
            throw new InvalidAccountException(prefix + ": client-id and client-secret are required with a base-url (set " + prefix
                    + ".client-id and .client-secret, or PACER_PROVIDERS_" + account.name().toUpperCase(Locale.ROOT)
                    + "_CLIENT_ID and _CLIENT_SECRET)");
        }
        if (blank(p.loginUrl())) {
            throw new InvalidAccountException(prefix + ".login-url is required with a base-url (the region's login server, "
                    + "e.g. https://login.mypurecloud.com for the API at https://api.mypurecloud.com)");
        }
    }

    @Override
    public ProviderRequest request(OutgoingMessage m, ProviderAccount account) throws CredentialUnavailableException {
        ObjectNode body = JSON.createObjectNode();
        body.put("fromAddress", m.from());
        body.put("toAddress", m.to());
        body.put("toAddressMessengerType", "sms");
        body.put("textBody", m.text());
        return ProviderRequest.post(PATH, "application/json; charset=utf-8", bearer(account), body.toString());
    }

    /** The token's own description ({@code GET /api/v2/tokens/me}): getting a token at all checks the client's credentials. */
    @Override
    public Optional<ProviderRequest> credentialCheck(ProviderAccount account) {
        return Optional.of(new ProviderRequest("GET", "/api/v2/tokens/me", null, Map.of(), null));
    }

    @Override
    public ProviderRequest authorize(ProviderRequest request, ProviderAccount account) throws CredentialUnavailableException {
        return request.headers().containsKey("Authorization") ? request
                : new ProviderRequest(request.method(), request.path(), request.contentType(), bearer(account), request.body());
    }

    @Override
    public boolean renews() {
        return true;
    }

    @Override
    public void renew(ProviderAccount account, ProviderRequest refused) {
        String authorization = refused == null ? null : refused.headers().get("Authorization");
        tokens.forget(account, authorization == null ? null : authorization.substring("Bearer ".length()));
    }

    private Map<String, String> bearer(ProviderAccount account) throws CredentialUnavailableException {
        return Map.of("Authorization", "Bearer " + tokens.token(account));
    }

    @Override
    public SendResult read(int status, Function<String, String> header, String body, OutgoingMessage message, Instant now) {
        JsonNode json = JsonBodies.object(body);
        String code = JsonBodies.text(json, "code");
        String description = JsonBodies.text(json, "message");
        SendResult result;
        if (status >= 200 && status < 300) {
            String id = JsonBodies.text(json, "id");
            if (id == null) {
                return SendResult.lost(status, "answer-cut-short", "the answer has no message id");
            }
            result = SendResult.accepted(status, id, null);
        } else if (status == 429) {
            result = SendResult.rateLimited(status, bounds.clamp(waitFor429(header, body, now)), code, description);
        } else if (status >= 500 || status == 408) {
            Duration told = RetryAfter.parse(header.apply("Retry-After"), header.apply("Date"), now).map(bounds::clamp).orElse(null);
            result = new SendResult(status, told, null, null, code, description);
        } else {
            result = SendResult.failed(status, code, description);
        }
        return result.withQuota(RateLimitHeaders.read(header, now).orElse(null));
    }

    /** The longer of the two waits a 429 tells (its header and its body may disagree), else the fallback. */
    private Duration waitFor429(Function<String, String> header, String body, Instant now) {
        Optional<Duration> header429 = RetryAfter.parse(header.apply("Retry-After"), header.apply("Date"), now);
        Optional<Duration> body429 = ProviderHints.genesysRetrySeconds(body);
        if (header429.isPresent() && body429.isPresent()) {
            return header429.get().compareTo(body429.get()) >= 0 ? header429.get() : body429.get();
        }
        return header429.or(() -> body429).orElse(fallbackWait);
    }

    @Override
    public ProviderSimulator simulate(ProviderAccount account, SimulatorProperties settings, Clock clock) throws IOException {
        return new GenesysSimulator(new GenesysSimulator.Settings(account.settings().clientId(), account.settings().clientSecret(), settings),
                clock, new SplittableRandom());
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
