package dev.pacer.provider.genesys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.provider.CredentialUnavailableException;
import dev.pacer.provider.ProviderAccount;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Genesys Cloud's OAuth tokens (client credentials grant), one per account, kept until shortly
 * before they expire and shared by every send: {@code POST {login-url}/oauth/token} with Basic
 * {@code client-id:client-secret} and {@code grant_type=client_credentials}, through the route
 * {@code genesys-token} ({@code routes/genesys.camel.yaml}), whose Java half this is
 * ({@code ref: genesysTokens}). Concurrent sends wait for one request; a token is never fetched
 * per message. Tokens stay in memory only: never in a variable, the history or a log.
 */
public class GenesysTokens {

    private static final Logger log = LoggerFactory.getLogger(GenesysTokens.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long before its expiry a token is renewed, at most (and at most half its life). */
    static final Duration RENEW_BEFORE = Duration.ofMinutes(5);
    private static final String ACCOUNT = "pacerAccount";

    /** One token, and when it is renewed. */
    record Token(String value, Instant renewAt) {
        @Override
        public String toString() {
            return "Token[renewAt=" + renewAt + "]";
        }
    }

    /** What the login server answered: a token, or why there is none. */
    public record Answer(Token token, int status, String problem) {
        @Override
        public String toString() {
            return "Answer[" + (token == null ? status + " " + problem : "a token") + "]";
        }
    }

    private final Function<ProviderAccount, Answer> fetch;
    private final Clock clock;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final AtomicLong requested = new AtomicLong();

    /** @param fetch asks the account's login server for a token (the route {@code direct:genesys-token}) */
    public GenesysTokens(Function<ProviderAccount, Answer> fetch, Clock clock) {
        this.fetch = fetch;
        this.clock = clock;
    }

    /** The account's token: the one kept, or a new one when it is due for renewal. */
    public String token(ProviderAccount account) throws CredentialUnavailableException {
        Token kept = tokens.get(account.name());
        if (kept != null && clock.instant().isBefore(kept.renewAt())) {
            return kept.value();
        }
        synchronized (locks.computeIfAbsent(account.name(), n -> new Object())) {
            kept = tokens.get(account.name());
            if (kept != null && clock.instant().isBefore(kept.renewAt())) {
                return kept.value();
            }
            Answer answer = fetch.apply(account);
            long n = requested.incrementAndGet();
            if (answer == null || answer.token() == null) {
                throw new CredentialUnavailableException(answer == null ? 0 : answer.status(), "no token from " + account.name()
                        + "'s login server: " + (answer == null ? "no answer" : answer.problem()));
            }
            tokens.put(account.name(), answer.token());
            log.info("new token for {} (token requests so far: {}), renewed from {}", account.name(), n, answer.token().renewAt());
            return answer.token().value();
        }
    }

    /** Forgets the account's token (a send was refused with it): the next send gets a new one. */
    public void forget(ProviderAccount account, String refused) {
        tokens.computeIfPresent(account.name(), (name, t) -> refused == null || t.value().equals(refused) ? null : t);
    }

    /** Token requests made so far, for every account. */
    public long requested() {
        return requested.get();
    }

    /** The route's request: the token endpoint, the client's Basic credentials, the grant. */
    public void request(Exchange exchange) throws InvalidPayloadException {
        ProviderAccount account = exchange.getMessage().getMandatoryBody(ProviderAccount.class);
        exchange.setProperty(ACCOUNT, account.name());
        String login = account.settings().loginUrl() == null || account.settings().loginUrl().isBlank()
                ? account.baseUrl() : account.settings().loginUrl().replaceAll("/+$", "");
        exchange.setProperty("pacerUrl", login + "/oauth/token");
        String credentials = account.settings().clientId() + ":" + account.settings().clientSecret();
        Message out = exchange.getMessage();
        out.setHeaders(new java.util.HashMap<>(Map.of(
                "Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)),
                Exchange.HTTP_METHOD, "POST",
                Exchange.CONTENT_TYPE, "application/x-www-form-urlencoded")));
        out.setBody("grant_type=client_credentials");
    }

    /** Reads the login server's answer: {@code access_token} and {@code expires_in} (seconds). */
    public void response(Exchange exchange) {
        Message in = exchange.getMessage();
        in.removeHeader("Authorization");
        int status = in.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        String body = in.getBody(String.class);
        in.setBody(read(status, body, clock.instant()));
    }

    /** The login server gave no answer. */
    public void fault(Exchange exchange) {
        exchange.getMessage().removeHeader("Authorization");
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        exchange.getMessage().setBody(new Answer(null, 0, e == null ? "io-error" : e.getClass().getSimpleName() + " " + e.getMessage()));
    }

    /** What the login server's answer says: a token and when to renew it, or why there is none. */
    public static Answer read(int status, String body, Instant now) {
        if (status != 200) {
            return new Answer(null, status, "the login server answered " + status + errorOf(body));
        }
        try {
            JsonNode json = JSON.readTree(body == null ? "" : body);
            String token = json == null ? "" : json.path("access_token").asText("");
            if (token.isEmpty()) {
                return new Answer(null, 0, "the login server's answer has no access_token");
            }
            long expiresIn = json.path("expires_in").asLong(0);
            if (expiresIn <= 0) {
                return new Answer(null, 0, "the login server's answer has no expires_in");
            }
            Duration life = Duration.ofSeconds(expiresIn);
            Duration early = life.dividedBy(2).compareTo(RENEW_BEFORE) < 0 ? life.dividedBy(2) : RENEW_BEFORE;
            return new Answer(new Token(token, now.plus(life).minus(early)), status, null);
        } catch (IOException e) {
            return new Answer(null, 0, "the login server's answer is not JSON");
        }
    }

    private static String errorOf(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode json = JSON.readTree(body);
            String error = json.path("error").asText(json.path("message").asText(""));
            return error.isEmpty() ? "" : " (" + error + ")";
        } catch (IOException e) {
            return "";
        }
    }
}
