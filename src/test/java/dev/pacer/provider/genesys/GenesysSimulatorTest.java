package dev.pacer.provider.genesys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.provider.RetryAfterMode;
import dev.pacer.provider.SimulatorProperties;
import dev.pacer.provider.SimulatorServer.Reply;
import dev.pacer.provider.SimulatorServer.Request;
import dev.pacer.provider.genesys.GenesysSimulator.Settings;
import dev.pacer.throttle.MutableClock;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The Genesys Cloud look-alike's tokens, limits and score, driven through its model on a hand-moved clock. */
class GenesysSimulatorTest {

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final String CLIENT = "client";
    private static final String SECRET = "secret";
    private static final String AGENTLESS = "/api/v2/conversations/messages/agentless";
    private static final String FROM = "+12025550100";
    private static final String TO = "+12025550101";
    private static final Pattern BODY_SECONDS = Pattern.compile("Retry the request in \\[(\\d+)] seconds");
    private static final ObjectMapper JSON = new ObjectMapper();
    private final MutableClock clock = new MutableClock(T0);
    private int texts;

    private static SimulatorProperties properties(int perMinute, Duration lockout, boolean inconsistent, double serverErrorRate) {
        return new SimulatorProperties(true, null, perMinute, 60, RetryAfterMode.NONE, 1, true, Duration.ZERO, serverErrorRate,
                Duration.ZERO, 0, Duration.ofSeconds(1), lockout, Duration.ZERO, 0, Duration.ofHours(1), inconsistent,
                SimulatorProperties.Receipts.none());
    }

    private static SimulatorProperties properties(int perMinute) {
        return properties(perMinute, Duration.ZERO, false, 0);
    }

    private GenesysSimulator model(SimulatorProperties p, long seed) throws IOException {
        return new GenesysSimulator(new Settings(CLIENT, SECRET, p), clock, new SplittableRandom(seed), false);
    }

    private GenesysSimulator model(SimulatorProperties p) throws IOException {
        return model(p, 1);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static Reply tokenRequest(GenesysSimulator sim, String authorization, String form) {
        return sim.answer(new Request("POST", "/oauth/token", authorization, "application/x-www-form-urlencoded",
                form.getBytes(StandardCharsets.UTF_8)));
    }

    private static String token(GenesysSimulator sim) throws IOException {
        Reply r = tokenRequest(sim, basic(CLIENT, SECRET), "grant_type=client_credentials");
        assertThat(r.status()).isEqualTo(200);
        return json(r).path("access_token").asText();
    }

    private static ObjectNode message(String to, String text) {
        ObjectNode n = JSON.createObjectNode();
        n.put("fromAddress", FROM);
        n.put("toAddress", to);
        n.put("toAddressMessengerType", "sms");
        n.put("textBody", text);
        return n;
    }

    private static Reply send(GenesysSimulator sim, String token, ObjectNode body) {
        return sim.answer(new Request("POST", AGENTLESS, token == null ? null : "Bearer " + token, "application/json; charset=utf-8",
                body.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** Sends a text of its own, so that no two count as duplicates. */
    private Reply send(GenesysSimulator sim, String token) {
        return send(sim, token, message(TO, "text " + ++texts));
    }

    private static JsonNode json(Reply r) throws IOException {
        return JSON.readTree(r.body());
    }

    private static long bodySeconds(Reply r) {
        Matcher m = BODY_SECONDS.matcher(r.body());
        assertThat(m.find()).as("the body states the wait: " + r.body()).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void shouldIssueTokensByTheClientCredentialsGrant() throws IOException {
        GenesysSimulator sim = model(properties(300));
        Reply issued = tokenRequest(sim, basic(CLIENT, SECRET), "grant_type=client_credentials");
        assertThat(issued.status()).isEqualTo(200);
        JsonNode token = json(issued);
        assertThat(token.path("access_token").asText()).isNotBlank();
        assertThat(token.path("token_type").asText()).isEqualTo("bearer");
        assertThat(token.path("expires_in").asLong()).isEqualTo(3600);

        Reply wrongSecret = tokenRequest(sim, basic(CLIENT, "nope"), "grant_type=client_credentials");
        assertThat(wrongSecret.status()).isEqualTo(401);
        assertThat(json(wrongSecret).path("error").asText()).isEqualTo("invalid_client");
        assertThat(json(wrongSecret).path("description").asText()).isNotBlank();

        Reply password = tokenRequest(sim, basic(CLIENT, SECRET), "grant_type=password&username=u&password=p");
        assertThat(password.status()).isEqualTo(400);
        assertThat(password.body()).isEqualTo("{\"error\":\"unsupported_grant_type\"}");

        GenesysSimulator.Stats stats = sim.stats();
        assertThat(stats.tokensIssued()).isEqualTo(1);
        assertThat(stats.tokenRequests()).isEqualTo(3);
        assertThat(stats.requests()).as("token requests are counted apart").isZero();
    }

    @Test
    void shouldLimitTokenRequestsPerClientPerMinute() throws IOException {
        GenesysSimulator sim = model(properties(300));
        clock.set(T0.plusSeconds(45));
        for (int i = 0; i < GenesysSimulator.TOKEN_REQUESTS_PER_MINUTE; i++) {
            token(sim);
        }
        Reply limited = tokenRequest(sim, basic(CLIENT, SECRET), "grant_type=client_credentials");
        assertThat(limited.status()).isEqualTo(429);
        assertThat(json(limited).path("code").asText()).isEqualTo("too.many.requests");
        assertThat(limited.headers()).containsEntry("Retry-After", "15");
        clock.set(T0.plusSeconds(60));
        assertThat(token(sim)).isNotBlank();
        assertThat(sim.stats().tokensIssued()).isEqualTo(301);
        assertThat(sim.stats().tokenRequests()).isEqualTo(302);
    }

    @Test
    void shouldAcceptAnAgentlessMessageInGenesysShape() throws IOException {
        GenesysSimulator sim = model(properties(300));
        Reply r = send(sim, token(sim), message(TO, "Hello"));
        assertThat(r.status()).isEqualTo(202);
        JsonNode m = json(r);
        String id = m.path("id").asText();
        assertThat(UUID.fromString(id).toString()).isEqualTo(id);
        assertThat(UUID.fromString(m.path("conversationId").asText())).isNotNull();
        assertThat(m.path("fromAddress").asText()).isEqualTo(FROM);
        assertThat(m.path("toAddress").asText()).isEqualTo(TO);
        assertThat(m.path("messengerType").asText()).isEqualTo("sms");
        assertThat(m.path("textBody").asText()).isEqualTo("Hello");
        assertThat(m.path("timestamp").asText()).isEqualTo("2030-01-01T00:00:00Z");
        assertThat(m.path("selfUri").asText()).isEqualTo(AGENTLESS + "/" + id);
        assertThat(r.headers()).containsEntry("inin-ratelimit-count", "1").containsEntry("inin-ratelimit-allowed", "300")
                .containsEntry("inin-ratelimit-reset", "60");
        assertThat(sim.stats().accepted()).isEqualTo(1);
        assertThat(sim.stats().firstRequestAt()).isEqualTo(T0);
        assertThat(sim.acceptedTimes()).containsExactly(T0);
    }

    @Test
    void shouldRefuseAnExpiredTokenAndTakeANewOne() throws IOException {
        GenesysSimulator sim = model(properties(300));
        String first = token(sim);
        assertThat(send(sim, first).status()).isEqualTo(202);

        clock.advance(Duration.ofHours(1));
        Reply expired = send(sim, first);
        assertThat(expired.status()).isEqualTo(401);
        assertThat(expired.body()).isEqualTo("{\"message\":\"Invalid login credentials.\",\"code\":\"bad.credentials\",\"status\":401}");
        assertThat(expired.headers()).as("not an authenticated request").doesNotContainKey("inin-ratelimit-count");
        assertThat(sim.stats().unauthorized()).isEqualTo(1);
        assertThat(sim.stats().expiredTokenUsed()).isEqualTo(1);

        String second = token(sim);
        assertThat(send(sim, second).status()).isEqualTo(202);

        sim.expireTokens();
        assertThat(send(sim, second).status()).as("every token expired mid-campaign").isEqualTo(401);
        assertThat(send(sim, "never-issued").status()).isEqualTo(401);
        assertThat(send(sim, null).status()).isEqualTo(401);
        String third = token(sim);
        assertThat(send(sim, third).status()).isEqualTo(202);

        GenesysSimulator.Stats stats = sim.stats();
        assertThat(stats.unauthorized()).isEqualTo(4);
        assertThat(stats.expiredTokenUsed()).isEqualTo(2);
        assertThat(stats.tokensIssued()).isEqualTo(3);
        assertThat(stats.accepted()).isEqualTo(3);
    }

    @Test
    void shouldDescribeAValidTokenOutsideTheScore() throws IOException {
        GenesysSimulator sim = model(properties(300));
        String token = token(sim);
        Reply me = sim.answer(new Request("GET", "/api/v2/tokens/me", "Bearer " + token, null, new byte[0]));
        assertThat(me.status()).isEqualTo(200);
        assertThat(json(me).path("OAuthClient").path("id").asText()).isEqualTo(CLIENT);
        Reply refused = sim.answer(new Request("GET", "/api/v2/tokens/me", "Bearer nope", null, new byte[0]));
        assertThat(refused.status()).isEqualTo(401);
        assertThat(sim.stats().requests()).isZero();
        assertThat(sim.stats().unauthorized()).isZero();
    }

    @Test
    void shouldRefuseInvalidMessages() throws IOException {
        GenesysSimulator sim = model(properties(300));
        String token = token(sim);
        ObjectNode noFrom = message(TO, "hi");
        noFrom.remove("fromAddress");
        Reply refused = send(sim, token, noFrom);
        assertThat(refused.status()).isEqualTo(400);
        JsonNode error = json(refused);
        assertThat(error.path("code").asText()).isEqualTo("bad.request");
        assertThat(error.path("status").asInt()).isEqualTo(400);
        assertThat(error.path("contextId").asText()).isNotBlank();
        assertThat(error.path("details").isArray()).isTrue();
        assertThat(error.path("errors").isArray()).isTrue();
        assertThat(refused.headers()).as("it still counts against the window").containsEntry("inin-ratelimit-count", "1");

        assertThat(send(sim, token, message("12345", "hi")).status()).isEqualTo(400);
        assertThat(send(sim, token, message(TO, "hi").put("toAddressMessengerType", "email")).status()).isEqualTo(400);
        ObjectNode noText = message(TO, "hi");
        noText.remove("textBody");
        assertThat(send(sim, token, noText).status()).isEqualTo(400);
        assertThat(send(sim, token, message(TO, "x".repeat(766))).status()).isEqualTo(400);
        assertThat(sim.stats().rejected()).isEqualTo(5);

        assertThat(send(sim, token, message(TO, "x".repeat(765))).status()).as("765 characters are allowed").isEqualTo(202);
        assertThat(send(sim, token, message(TO, "y".repeat(766)).put("toAddressMessengerType", "whatsapp")).status())
                .as("the limit is for SMS").isEqualTo(202);
    }

    @Test
    void shouldLimitTheClientPerMinuteAndTellTheWaitInHeaderAndBody() throws IOException {
        GenesysSimulator sim = model(properties(2));
        String token = token(sim);
        clock.set(T0.plusSeconds(20));
        Reply first = send(sim, token);
        assertThat(first.headers()).containsEntry("inin-ratelimit-count", "1").containsEntry("inin-ratelimit-allowed", "2")
                .containsEntry("inin-ratelimit-reset", "40");
        assertThat(send(sim, token).headers()).containsEntry("inin-ratelimit-count", "2");

        Reply limited = send(sim, token);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.headers()).containsEntry("Retry-After", "40").containsEntry("inin-ratelimit-count", "2")
                .containsEntry("inin-ratelimit-allowed", "2").containsEntry("inin-ratelimit-reset", "40");
        JsonNode body = json(limited);
        assertThat(body.path("code").asText()).isEqualTo("too.many.requests.retry.after");
        assertThat(body.path("message").asText()).isEqualTo("Rate limit exceeded the maximum. Retry the request in [40] seconds");
        assertThat(body.path("status").asInt()).isEqualTo(429);
        assertThat(limited.toldUntil()).isEqualTo(T0.plusSeconds(60));

        clock.advance(Duration.ofSeconds(1));
        Reply early = send(sim, token);
        assertThat(early.status()).isEqualTo(429);
        assertThat(early.headers()).containsEntry("Retry-After", "39");
        assertThat(sim.stats().insideToldWait()).isEqualTo(1);

        clock.set(T0.plusSeconds(60));
        Reply next = send(sim, token);
        assertThat(next.status()).as("a new window").isEqualTo(202);
        assertThat(next.headers()).containsEntry("inin-ratelimit-count", "1").containsEntry("inin-ratelimit-reset", "60");
        GenesysSimulator.Stats stats = sim.stats();
        assertThat(stats.rateLimited()).isEqualTo(2);
        assertThat(stats.insideToldWait()).isEqualTo(1);
        assertThat(stats.lockouts()).isZero();
        assertThat(stats.accepted()).isEqualTo(3);
        assertThat(stats.requests()).isEqualTo(5);
    }

    @Test
    void shouldNotHoldARequestAlreadyOnItsWayAgainstTheClient() throws IOException {
        GenesysSimulator sim = model(properties(1));
        String token = token(sim);
        send(sim, token);
        assertThat(send(sim, token).status()).isEqualTo(429);
        assertThat(send(sim, token).status()).isEqualTo(429);
        assertThat(sim.stats().insideToldWait()).isZero();
    }

    @Test
    void shouldLockTheClientOutAfterARequestInsideTheToldWait() throws IOException {
        GenesysSimulator sim = model(properties(2, Duration.ofSeconds(60), false, 0));
        String token = token(sim);
        clock.set(T0.plusSeconds(20));
        send(sim, token);
        send(sim, token);
        assertThat(send(sim, token).status()).isEqualTo(429);
        clock.advance(Duration.ofMillis(100));
        Reply locked = send(sim, token);
        assertThat(locked.status()).isEqualTo(429);
        assertThat(locked.headers()).containsEntry("Retry-After", "60");
        assertThat(bodySeconds(locked)).isEqualTo(60);
        assertThat(sim.stats().lockouts()).isEqualTo(1);

        clock.set(T0.plusSeconds(70));
        assertThat(send(sim, token).status()).as("locked, though the window is new").isEqualTo(429);
        assertThat(sim.stats().lockouts()).as("that request was inside the wait told too").isEqualTo(2);
    }

    @Test
    void shouldLetTheClientBackOnceTheLockoutIsOver() throws IOException {
        GenesysSimulator sim = model(properties(2, Duration.ofSeconds(60), false, 0));
        String token = token(sim);
        clock.set(T0.plusSeconds(20));
        send(sim, token);
        send(sim, token);
        send(sim, token);
        clock.advance(Duration.ofMillis(100));
        assertThat(send(sim, token).status()).isEqualTo(429);
        clock.set(T0.plusSeconds(81));
        assertThat(send(sim, token).status()).isEqualTo(202);
        assertThat(sim.stats().lockouts()).isEqualTo(1);
        assertThat(sim.stats().insideToldWait()).isEqualTo(1);
    }

    @Test
    void shouldTellDisagreeingWaitsWhenInconsistent() throws IOException {
        GenesysSimulator sim = model(properties(1, Duration.ZERO, true, 0), 7);
        String token = token(sim);
        assertThat(send(sim, token).status()).isEqualTo(202);
        int disagreeing = 0;
        for (int i = 0; i < 20; i++) {
            Reply limited = send(sim, token);
            assertThat(limited.status()).isEqualTo(429);
            assertThat(bodySeconds(limited)).as("the body states the true wait").isEqualTo(60);
            String header = limited.headers().get("Retry-After");
            if (header != null) {
                assertThat(header).as("half, twice or equal").isIn("30", "60", "120");
            }
            if (!"60".equals(header)) {
                disagreeing++;
            }
            Instant told = "120".equals(header) ? T0.plusSeconds(120) : T0.plusSeconds(60);
            assertThat(limited.toldUntil()).as("the longer of the two counts as told").isEqualTo(told);
        }
        assertThat(disagreeing).isPositive();
        assertThat(sim.stats().rateLimited()).isEqualTo(20);
    }

    @Test
    void shouldCountTheSameTextToTheSameNumberWithinTenMinutesAsADuplicate() throws IOException {
        GenesysSimulator sim = model(properties(300));
        String token = token(sim);
        send(sim, token, message(TO, "your code is 1234"));
        clock.advance(Duration.ofMinutes(9));
        send(sim, token, message(TO, "your code is 1234"));
        send(sim, token, message("+12025550102", "your code is 1234"));
        assertThat(sim.stats().duplicates()).isEqualTo(1);
        clock.advance(Duration.ofMinutes(11));
        send(sim, token, message(TO, "your code is 1234"));
        assertThat(sim.stats().duplicates()).isEqualTo(1);
    }

    @Test
    void shouldAnswer503AtRandom() throws IOException {
        GenesysSimulator sim = model(properties(300, Duration.ZERO, false, 1.0));
        Reply r = send(sim, token(sim));
        assertThat(r.status()).isEqualTo(503);
        assertThat(json(r).path("code").asText()).isEqualTo("service.unavailable");
        assertThat(sim.stats().serverErrors()).isEqualTo(1);
    }
}
