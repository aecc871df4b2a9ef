package dev.pacer.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.pacer.cli.Engine;
import dev.pacer.delivery.CredentialCheck;
import dev.pacer.delivery.ResponseRules;
import dev.pacer.flow.ResponseClass;
import dev.pacer.provider.genesys.GenesysTokens;
import dev.pacer.system.PacerApplication;
import dev.pacer.throttle.Priority;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Twilio and Genesys Cloud routes ({@code routes/twilio.camel.yaml}, {@code routes/genesys.camel.yaml})
 * with the real Camel HTTP component against a local server that answers as each provider documents;
 * each answer is judged by what the delivery flow acts on, the deployed response rules' reading of it.
 */
@SpringBootTest(classes = PacerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
        "spring.datasource.url=jdbc:h2:mem:more-routes-test;DB_CLOSE_DELAY=-1",
        "camunda.bpm.job-execution.enabled=false",
        "camel.component.http.response-timeout=1000",
        "pacer.public-url=https://pacer.example.com/",
        "pacer.simulator.enabled=true",
        "pacer.webhook.authorization=Bearer hook-secret",
        "pacer.providers.tw.type=twilio",
        "pacer.providers.tw.account-sid=AC0123456789abcdef0123456789abcdef",
        "pacer.providers.tw.auth-token=tw-token",
        "pacer.providers.gc.type=genesys",
        "pacer.providers.gc.client-id=gc-client",
        "pacer.providers.gc.client-secret=gc-secret",
        "pacer.providers.gc.requests-per-minute=300",
        "spring.autoconfigure.exclude=" + Engine.NO_WEB})
class TwilioAndGenesysRouteTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SID = "AC0123456789abcdef0123456789abcdef";
    private static final String MESSAGES = "/2010-04-01/Accounts/" + SID + "/Messages.json";
    private static final String AGENTLESS = "/api/v2/conversations/messages/agentless";
    private static final HttpServer SERVER = start();
    private static final List<Request> REQUESTS = new CopyOnWriteArrayList<>();
    /** The answers to come, per path, in order; the last one stays. */
    private static final Map<String, Deque<Answer>> ANSWERS = new ConcurrentHashMap<>();

    record Request(String method, String path, String query, String authorization, String contentType, String body) {
        Map<String, String> form() {
            Map<String, String> form = new LinkedHashMap<>();
            for (String pair : body.split("&")) {
                int eq = pair.indexOf('=');
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
            return form;
        }

        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    record Answer(int status, Map<String, String> headers, String body) {
        static Answer of(int status, String body, String... headers) {
            Map<String, String> h = new LinkedHashMap<>();
            h.put("Content-Type", "application/json");
            for (int i = 0; i < headers.length; i += 2) {
                h.put(headers[i], headers[i + 1]);
            }
            return new Answer(status, h, body);
        }
    }

    @Autowired
    MessageSender sender;

    @Autowired
    ResponseRules rules;

    @Autowired
    CredentialCheck credentials;

    @Autowired
    SentMessages sentMessages;

    @Autowired
    GenesysTokens tokens;

    @Autowired
    Providers providers;

    @Autowired
    org.apache.camel.ProducerTemplate template;

    @DynamicPropertySource
    static void provider(DynamicPropertyRegistry registry) {
        String url = "http://127.0.0.1:" + SERVER.getAddress().getPort();
        registry.add("pacer.providers.tw.base-url", () -> url);
        registry.add("pacer.providers.gc.base-url", () -> url);
        registry.add("pacer.providers.gc.login-url", () -> url + "/login");
        registry.add("pacer.webhook.url", () -> url + "/hook");
    }

    private static HttpServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            server.createContext("/", exchange -> {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                String path = exchange.getRequestURI().getPath();
                REQUESTS.add(new Request(exchange.getRequestMethod(), path, exchange.getRequestURI().getRawQuery(),
                        exchange.getRequestHeaders().getFirst("Authorization"), exchange.getRequestHeaders().getFirst("Content-Type"), body));
                Deque<Answer> queue = ANSWERS.get(path);
                Answer a = queue == null ? Answer.of(404, "{}") : queue.size() > 1 ? queue.poll() : queue.peek();
                a.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
                byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
                exchange.getResponseBody().write(out);
                exchange.close();
            });
            server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stop() {
        SERVER.stop(0);
    }

    @BeforeEach
    void clear() {
        REQUESTS.clear();
        ANSWERS.clear();
        tokens.forget(providers.account("gc"), null);
        answer("/login/oauth/token", Answer.of(200, "{\"access_token\":\"token-1\",\"token_type\":\"bearer\",\"expires_in\":86400}"));
    }

    private static void answer(String path, Answer... answers) {
        ANSWERS.put(path, new ArrayDeque<>(List.of(answers)));
    }

    private List<Request> requestsTo(String path) {
        return REQUESTS.stream().filter(r -> r.path().equals(path)).toList();
    }

    private SendResult send(String provider, Instant deadline) {
        return sender.send(new OutgoingMessage("c1/7", provider, "+12025550100", "+12025550101", "Hi there", 1, Priority.BULK, deadline));
    }

    private ResponseRules.Classification classify(String type, SendResult r) {
        return rules.classify(type, r);
    }

    private static String twilioError(int code, String message, int status) {
        return "{\"code\":" + code + ",\"message\":\"" + message + "\",\"more_info\":\"https://www.twilio.com/docs/errors/" + code
                + "\",\"status\":" + status + "}";
    }

    @Test
    void shouldPostTwilioAFormWithBasicAuthAndReadA201() {
        answer(MESSAGES, Answer.of(201, "{\"sid\":\"SM0123456789abcdef0123456789abcdef\",\"status\":\"queued\",\"num_segments\":\"2\"}"));
        SendResult r = send("tw", Instant.now().plus(Duration.ofHours(1)));
        assertThat(classify("twilio", r).responseClass()).isEqualTo(ResponseClass.ACCEPTED);
        assertThat(r.providerMessageId()).isEqualTo("SM0123456789abcdef0123456789abcdef");
        assertThat(r.segmentCount()).as("num_segments comes as a string").isEqualTo(2);
        Request req = requestsTo(MESSAGES).get(0);
        assertThat(req.authorization()).isEqualTo("Basic " + Base64.getEncoder().encodeToString((SID + ":tw-token").getBytes()));
        assertThat(req.contentType()).startsWith("application/x-www-form-urlencoded");
        Map<String, String> form = req.form();
        assertThat(form).containsEntry("To", "+12025550101").containsEntry("From", "+12025550100").containsEntry("Body", "Hi there")
                .containsEntry("StatusCallback", "https://pacer.example.com/callbacks/tw");
        assertThat(Long.parseLong(form.get("ValidityPeriod"))).as("the deadline, in seconds from now").isBetween(3590L, 3600L);
    }

    @Test
    void shouldLeaveTwilioItsOwnValidityForADeadlineBeyondTenHours() {
        answer(MESSAGES, Answer.of(201, "{\"sid\":\"SM1\",\"num_segments\":\"1\"}"));
        send("tw", Instant.now().plus(Duration.ofHours(11)));
        send("tw", null);
        assertThat(requestsTo(MESSAGES)).extracting(r -> r.form().containsKey("ValidityPeriod")).containsExactly(false, false);
    }

    @Test
    void shouldHoldTheSenderWhenItsQueueAtTwilioIsFullAndNotRejectTheMessage() {
        answer(MESSAGES, Answer.of(400, twilioError(21611, "This 'From' number has exceeded the maximum number of queued messages", 400)));
        SendResult r = send("tw", null);
        ResponseRules.Classification c = classify("twilio", r);
        assertThat(c.responseClass()).isEqualTo(ResponseClass.RATE_LIMITED);
        assertThat(c.limitLayer()).isEqualTo("sender");
        assertThat(r.errorCode()).isEqualTo("21611");
        assertThat(r.retryWait()).as("the fallback wait: Twilio names none").isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void shouldTakeTwilios20429AsTooManyInFlightNotARateToCut() {
        answer(MESSAGES, Answer.of(429, twilioError(20429, "Too Many Requests", 429)));
        SendResult r = send("tw", null);
        ResponseRules.Classification c = classify("twilio", r);
        assertThat(c.responseClass()).isEqualTo(ResponseClass.RATE_LIMITED);
        assertThat(c.limitLayer()).isEqualTo("in-flight");
        assertThat(r.retryWait()).as("never processed: safe to send again at once").isNull();
        assertThat(requestsTo(MESSAGES)).as("camel-http must not retry it by itself").hasSize(1);
    }

    @Test
    void shouldRejectOtherTwilio4xxAndSuppressARecipientWhoOptedOut() {
        answer(MESSAGES, Answer.of(400, twilioError(21211, "The 'To' number +1202 is not a valid phone number.", 400)));
        SendResult invalid = send("tw", null);
        assertThat(classify("twilio", invalid).responseClass()).isEqualTo(ResponseClass.PERMANENT);
        assertThat(invalid.reason()).contains("21211").contains("not a valid phone number");
        answer(MESSAGES, Answer.of(400, twilioError(21610, "Attempt to send to unsubscribed recipient", 400)));
        ResponseRules.Classification stop = classify("twilio", send("tw", null));
        assertThat(stop.responseClass()).isEqualTo(ResponseClass.PERMANENT);
        assertThat(stop.suppress()).isTrue();
        answer(MESSAGES, Answer.of(401, twilioError(20003, "Authenticate", 401)));
        assertThat(classify("twilio", send("tw", null)).responseClass()).isEqualTo(ResponseClass.ACCOUNT);
        answer(MESSAGES, Answer.of(500, twilioError(20500, "Internal Server Error", 500)));
        assertThat(classify("twilio", send("tw", null)).responseClass()).isEqualTo(ResponseClass.TRANSIENT);
    }

    @Test
    void shouldCheckTwiliosCredentialsOnTheAccountItself() {
        answer("/2010-04-01/Accounts/" + SID + ".json", Answer.of(401, twilioError(20003, "Authenticate", 401)));
        assertThat(credentials.refused("tw")).hasValueSatisfying(reason -> assertThat(reason).contains("tw refused the account"));
        answer("/2010-04-01/Accounts/" + SID + ".json", Answer.of(200, "{\"sid\":\"" + SID + "\",\"status\":\"active\"}"));
        assertThat(credentials.refused("tw")).isEmpty();
    }

    @Test
    void shouldSearchTwiliosMessageListForASendInDoubt() {
        Instant sentAt = Instant.parse("2026-12-02T10:00:00Z");
        answer(MESSAGES, Answer.of(200, "{\"messages\":[{\"sid\":\"SMother\",\"to\":\"+12025550199\",\"direction\":\"outbound-api\","
                + "\"date_created\":\"Wed, 02 Dec 2026 10:00:01 +0000\"},{\"sid\":\"SMfound\",\"to\":\"+12025550101\",\"status\":\"sent\","
                + "\"direction\":\"outbound-api\",\"date_created\":\"Wed, 02 Dec 2026 10:00:01 +0000\"}]}"));
        Lookup found = sentMessages.find(new SendInDoubt("tw", "+12025550100", "+12025550101", sentAt));
        assertThat(found.found()).isEqualTo(Lookup.Found.YES);
        assertThat(found.providerMessageId()).isEqualTo("SMfound");
        Request search = requestsTo(MESSAGES).get(0);
        assertThat(search.method()).isEqualTo("GET");
        assertThat(search.query()).contains("To=%2B12025550101").contains("From=%2B12025550100").contains("DateSent%3E=2026-12-02");
        answer(MESSAGES, Answer.of(200, "{\"messages\":[]}"));
        assertThat(sentMessages.find(new SendInDoubt("tw", "+12025550100", "+12025550101", sentAt)).found()).isEqualTo(Lookup.Found.NO);
    }

    @Test
    void shouldGetOneGenesysTokenForManySendsAndPostTheAgentlessMessage() throws IOException {
        answer(AGENTLESS, Answer.of(202, "{\"id\":\"m-1\",\"conversationId\":\"c-1\"}",
                "inin-ratelimit-count", "10", "inin-ratelimit-allowed", "300", "inin-ratelimit-reset", "42"));
        for (int i = 0; i < 3; i++) {
            SendResult r = send("gc", null);
            assertThat(classify("genesys", r).responseClass()).isEqualTo(ResponseClass.ACCEPTED);
            assertThat(r.providerMessageId()).isEqualTo("m-1");
            assertThat(r.quota()).as("the inin-ratelimit headers").isNotNull();
            assertThat(r.quota().remaining()).isEqualTo(290);
        }
        List<Request> token = requestsTo("/login/oauth/token");
        assertThat(token).as("one token for every send").hasSize(1);
        assertThat(token.get(0).authorization()).isEqualTo("Basic " + Base64.getEncoder().encodeToString("gc-client:gc-secret".getBytes()));
        assertThat(token.get(0).body()).isEqualTo("grant_type=client_credentials");
        Request send = requestsTo(AGENTLESS).get(0);
        assertThat(send.authorization()).isEqualTo("Bearer token-1");
        JsonNode body = send.json();
        assertThat(body.get("fromAddress").asText()).isEqualTo("+12025550100");
        assertThat(body.get("toAddress").asText()).isEqualTo("+12025550101");
        assertThat(body.get("toAddressMessengerType").asText()).isEqualTo("sms");
        assertThat(body.get("textBody").asText()).isEqualTo("Hi there");
    }

    @Test
    void shouldRenewAnExpiredGenesysTokenOnceAndSendAgain() {
        answer("/login/oauth/token", Answer.of(200, "{\"access_token\":\"token-1\",\"expires_in\":86400}"),
                Answer.of(200, "{\"access_token\":\"token-2\",\"expires_in\":86400}"));
        answer(AGENTLESS, Answer.of(202, "{\"id\":\"m-1\"}"), Answer.of(401, "{\"message\":\"Invalid login credentials.\",\"code\":\"bad.credentials\"}"),
                Answer.of(202, "{\"id\":\"m-2\"}"));
        assertThat(send("gc", null).providerMessageId()).isEqualTo("m-1");
        SendResult renewed = send("gc", null);
        assertThat(classify("genesys", renewed).responseClass()).isEqualTo(ResponseClass.ACCEPTED);
        assertThat(renewed.providerMessageId()).isEqualTo("m-2");
        assertThat(requestsTo(AGENTLESS)).extracting(Request::authorization).containsExactly("Bearer token-1", "Bearer token-1", "Bearer token-2");
        assertThat(requestsTo("/login/oauth/token")).hasSize(2);
    }

    @Test
    void shouldCallA401WithAFreshTokenTheAccountsFaultAndNotLoop() {
        answer(AGENTLESS, Answer.of(401, "{\"message\":\"Invalid login credentials.\",\"code\":\"bad.credentials\"}"));
        SendResult r = send("gc", null);
        assertThat(classify("genesys", r).responseClass()).isEqualTo(ResponseClass.ACCOUNT);
        assertThat(requestsTo(AGENTLESS)).as("renewed once, sent once more, then no more").hasSize(2);
    }

    @Test
    void shouldSendNothingWhenTheLoginServerRefusesTheClient() {
        answer("/login/oauth/token", Answer.of(401, "{\"error\":\"invalid_client\"}"));
        SendResult r = send("gc", null);
        assertThat(classify("genesys", r).responseClass()).isEqualTo(ResponseClass.ACCOUNT);
        assertThat(r.reason()).contains("invalid_client");
        assertThat(requestsTo(AGENTLESS)).isEmpty();
        assertThat(credentials.refused("gc")).isPresent();
    }

    @Test
    void shouldKeepTheLongerOfTheTwoWaitsAGenesys429Tells() {
        String body = "{\"message\":\"Rate limit exceeded the maximum. Retry the request in [10] seconds\","
                + "\"code\":\"too.many.requests.retry.after\",\"status\":429}";
        answer(AGENTLESS, Answer.of(429, body, "Retry-After", "3"));
        SendResult understated = send("gc", null);
        assertThat(classify("genesys", understated).responseClass()).isEqualTo(ResponseClass.RATE_LIMITED);
        assertThat(understated.retryWait()).isEqualTo(Duration.ofSeconds(10));
        assertThat(understated.errorType()).isEqualTo("too.many.requests.retry.after");
        answer(AGENTLESS, Answer.of(429, body, "Retry-After", "20"));
        assertThat(send("gc", null).retryWait()).isEqualTo(Duration.ofSeconds(20));
        answer(AGENTLESS, Answer.of(429, body));
        assertThat(send("gc", null).retryWait()).as("no header: the body's").isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void shouldPaceGenesysInRequestsPerOAuthClient() {
        ProviderAccount gc = providers.account("gc");
        assertThat(gc.scope()).isEqualTo("gc:gc-client");
        assertThat(providers.api(gc).accountUnit()).isEqualTo(dev.pacer.throttle.ScopeLimit.Unit.REQUESTS);
        assertThat(providers.api(gc).refuses("x".repeat(765), 5)).isEmpty();
        assertThat(providers.api(gc).refuses("x".repeat(766), 5)).hasValueSatisfying(r -> assertThat(r).contains("765"));
        assertThat(providers.account("tw").sendersLimited()).as("each Twilio sender has a queue of its own").isTrue();
    }

    @Test
    void shouldPostACampaignEventToTheWebhookAsJsonAndReadItsWait() throws IOException {
        answer("/hook", Answer.of(429, "", "Retry-After", "12"));
        dev.pacer.webhook.CampaignEvent event = new dev.pacer.webhook.CampaignEvent(dev.pacer.webhook.CampaignEvent.SCOPE_PAUSED,
                Instant.parse("2030-01-01T00:00:00Z"), null, "tw:AC1", 2, Instant.parse("2030-01-01T00:00:30Z"), "429", null, null);
        dev.pacer.webhook.Webhook.Answer answer = template.requestBody("direct:webhook", event, dev.pacer.webhook.Webhook.Answer.class);
        assertThat(answer.status()).isEqualTo(429);
        assertThat(answer.retryAfter()).isEqualTo(Duration.ofSeconds(12));
        Request post = requestsTo("/hook").get(0);
        assertThat(post.authorization()).isEqualTo("Bearer hook-secret");
        assertThat(post.contentType()).startsWith("application/json");
        JsonNode body = post.json();
        assertThat(body.get("type").asText()).isEqualTo("scope.paused");
        assertThat(body.get("subject").asText()).isEqualTo("tw:AC1");
        assertThat(body.get("until").asText()).isEqualTo("2030-01-01T00:00:30Z");
        assertThat(body.get("count").asInt()).isEqualTo(2);
    }
}
