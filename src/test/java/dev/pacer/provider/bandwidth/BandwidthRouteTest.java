package dev.pacer.provider.bandwidth;

import dev.pacer.system.PacerApplication;

import dev.pacer.cli.Engine;
import dev.pacer.delivery.CredentialCheck;
import dev.pacer.delivery.ResponseRules;
import dev.pacer.flow.ResponseClass;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.pacer.provider.Lookup;
import dev.pacer.provider.MessageSender;
import dev.pacer.provider.SendInDoubt;
import dev.pacer.provider.SentMessages;
import dev.pacer.provider.OutgoingMessage;
import dev.pacer.provider.SendResult;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Bandwidth route ({@code routes/bandwidth.camel.yaml}) with the real Camel HTTP component
 * against a local server that answers each status a provider may give; each answer is judged by
 * what the delivery flow acts on, the deployed response rules' classification of it.
 */
@SpringBootTest(classes = PacerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
        "spring.datasource.url=jdbc:h2:mem:route-test;DB_CLOSE_DELAY=-1",
        "camunda.bpm.job-execution.enabled=false",
        "camel.component.http.response-timeout=1000",
        "pacer.providers.bandwidth.username=route-user",
        "pacer.providers.bandwidth.password=route-secret",
        "pacer.providers.bandwidth.account-id=9900001",
        "pacer.providers.bandwidth.application-id=app-42",
        "spring.autoconfigure.exclude=" + Engine.NO_WEB})
class BandwidthRouteTest {

    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpServer SERVER = start();
    private static final List<Request> REQUESTS = new CopyOnWriteArrayList<>();
    private static volatile Answer answer;

    record Request(String method, String uri, String authorization, String contentType, JsonNode body) {
    }

    /** @param cutShort the connection closes halfway through the body its length announced */
    record Answer(int status, Map<String, String> headers, String body, Duration delay, boolean cutShort) {
        Answer(int status, Map<String, String> headers, String body, Duration delay) {
            this(status, headers, body, delay, false);
        }

        static Answer of(int status, String body, String... headers) {
            Map<String, String> h = new java.util.HashMap<>();
            for (int i = 0; i < headers.length; i += 2) {
                h.put(headers[i], headers[i + 1]);
            }
            return new Answer(status, h, body, Duration.ZERO);
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

    /** What the delivery flow makes of the answer: the deployed response rules' class for it. */
    private ResponseClass classify(SendResult r) {
        return rules.classify(BandwidthApi.TYPE, r).responseClass();
    }

    @DynamicPropertySource
    static void provider(DynamicPropertyRegistry registry) {
        registry.add("pacer.providers.bandwidth.base-url", () -> "http://127.0.0.1:" + SERVER.getAddress().getPort());
    }

    private static HttpServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            server.createContext("/", exchange -> {
                byte[] raw = exchange.getRequestBody().readAllBytes();
                REQUESTS.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                        exchange.getRequestHeaders().getFirst("Authorization"),
                        exchange.getRequestHeaders().getFirst("Content-Type"), JSON.readTree(raw)));
                Answer a = answer;
                try {
                    Thread.sleep(a.delay().toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                a.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
                byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
                if (a.cutShort()) {
                    exchange.getResponseBody().write(out, 0, out.length / 2);
                    exchange.getResponseBody().flush();
                    // the connection goes before the rest of the body
                    throw new IOException("cut short");
                }
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
    }

    private SendResult send(Answer a) {
        answer = a;
        return sender.send(new OutgoingMessage("c1/7", "bandwidth", "+12025550100", "+12025550101", "Hi there",
                2, Priority.REALTIME, Instant.parse("2030-01-01T10:00:00Z")));
    }

    @Test
    void shouldPostTheBandwidthRequestWithBasicAuthAndMapA202ToAccepted() {
        SendResult r = send(Answer.of(202, "{\"id\":\"1476207046829kw2fuqty55yp2b2\",\"segmentCount\":2,\"to\":[\"+12025550101\"]}"));
        assertThat(classify(r)).isEqualTo(ResponseClass.ACCEPTED);
        assertThat(r.providerMessageId()).isEqualTo("1476207046829kw2fuqty55yp2b2");
        assertThat(r.segmentCount()).isEqualTo(2);
        Request req = REQUESTS.get(0);
        assertThat(req.authorization()).isEqualTo("Basic " + Base64.getEncoder().encodeToString("route-user:route-secret".getBytes()));
        assertThat(req.contentType()).startsWith("application/json");
        assertThat(req.body().get("applicationId").asText()).isEqualTo("app-42");
        assertThat(req.body().get("to").toString()).isEqualTo("[\"+12025550101\"]");
        assertThat(req.body().get("from").asText()).isEqualTo("+12025550100");
        assertThat(req.body().get("tag").asText()).isEqualTo("c1/7");
        assertThat(req.body().get("priority").asText()).isEqualTo("high");
        assertThat(req.body().get("expiration").asText()).isEqualTo("2030-01-01T10:00:00Z");
    }

    @Test
    void shouldHandEvery429ToPacerWithTheRetryAfterSeconds() {
        SendResult r = send(Answer.of(429, "{\"type\":\"too-many\"}", "Retry-After", "7"));
        assertThat(classify(r)).isEqualTo(ResponseClass.RATE_LIMITED);
        assertThat(r.retryWait()).isEqualTo(Duration.ofSeconds(7));
        assertThat(REQUESTS).as("camel-http must not retry a 429 by itself").hasSize(1);
    }

    @Test
    void shouldReadAnHttpDateRetryAfter() {
        // The JDK server stamps its own Date header; skew against it is covered in RetryAfterTest.
        SendResult r = send(Answer.of(429, "", "Retry-After", HTTP_DATE.format(Instant.now().plusSeconds(12))));
        assertThat(classify(r)).isEqualTo(ResponseClass.RATE_LIMITED);
        assertThat(r.retryWait()).isBetween(Duration.ofSeconds(10), Duration.ofSeconds(13));
    }

    @Test
    void shouldDeriveTheWaitFromBandwidthsQueueBodyWhenRetryAfterIsMissing() {
        SendResult r = send(Answer.of(429, "{\"type\":\"max-message-queue-size-exceeded\",\"description\":\"The SMS queue for your account is full "
                + "and cannot accept more messages right now. Your allowed rate is 60 messages per minute. The capacity of this queue is "
                + "900 messages (15 minutes).\"}"));
        assertThat(classify(r)).isEqualTo(ResponseClass.RATE_LIMITED);
        assertThat(r.retryWait()).as("two segments drain in two seconds at 60 a minute").isEqualTo(Duration.ofSeconds(2));
        assertThat(r.errorType()).isEqualTo("max-message-queue-size-exceeded");
    }

    @Test
    void shouldTreatServerErrorsAsTransient() {
        assertThat(classify(send(Answer.of(500, "{\"type\":\"internal\"}")))).isEqualTo(ResponseClass.TRANSIENT);
        SendResult unavailable = send(Answer.of(503, "", "Retry-After", "9"));
        assertThat(classify(unavailable)).isEqualTo(ResponseClass.TRANSIENT);
        assertThat(unavailable.retryWait()).isEqualTo(Duration.ofSeconds(9));
        assertThat(REQUESTS).as("no silent retry of a 503").hasSize(2);
    }

    @Test
    void shouldCallATimeoutAfterTheRequestWentOutALostAnswer() {
        SendResult r = send(new Answer(202, Map.of(), "{\"id\":\"late\"}", Duration.ofMillis(2500)));
        assertThat(r.status()).isZero();
        assertThat(r.lost()).as("the provider may have the message: the send is in doubt, not failed").isTrue();
        assertThat(REQUESTS).as("no silent retry").hasSize(1);
    }

    @Test
    void shouldCallAnAnswerCutShortALostAnswer() {
        SendResult r = send(new Answer(202, Map.of("Content-Type", "application/json"),
                "{\"id\":\"14762070468292kw2fuqty55yp2b2\",\"owner\":\"+12025550100\",\"segmentCount\":1}", Duration.ZERO, true));
        assertThat(r.lost()).isTrue();
        assertThat(REQUESTS).hasSize(1);
        SendResult noId = send(Answer.of(202, "{\"owner\":\"+12025550100\"}"));
        assertThat(noId.lost()).as("a 2xx without the message's id: taken, but its id is to be asked for").isTrue();
        assertThat(noId.status()).isEqualTo(202);
    }

    @Test
    void shouldSearchTheMessageListForASendInDoubtBySenderRecipientAndTime() {
        SendInDoubt send = new SendInDoubt("bandwidth", "+12025550100", "+12025550101", Instant.parse("2030-01-01T09:00:00Z"));
        answer = Answer.of(200, "{\"totalCount\":1,\"pageInfo\":{},\"messages\":[{\"messageId\":\"1589228074636lm4k2je7j7jklbn2\","
                + "\"sourceTn\":\"+12025550100\",\"destinationTn\":\"+12025550101\",\"messageStatus\":\"DELIVERED\","
                + "\"messageDirection\":\"OUTBOUND\",\"receiveTime\":\"2030-01-01T09:00:01.000Z\"}]}");
        Lookup found = sentMessages.find(send);
        assertThat(found.found()).isEqualTo(Lookup.Found.YES);
        assertThat(found.providerMessageId()).isEqualTo("1589228074636lm4k2je7j7jklbn2");
        Request req = REQUESTS.get(0);
        assertThat(req.method()).isEqualTo("GET");
        assertThat(req.uri()).startsWith("/api/v2/users/9900001/messages?sourceTn=%2B12025550100&destinationTn=%2B12025550101"
                + "&messageDirection=OUTBOUND&fromDateTime=2030-01-01T08%3A59%3A00Z&toDateTime=");
        assertThat(req.authorization()).isEqualTo("Basic " + Base64.getEncoder().encodeToString("route-user:route-secret".getBytes()));

        answer = Answer.of(200, "{\"totalCount\":0,\"pageInfo\":{},\"messages\":[]}");
        assertThat(sentMessages.find(send).found()).isEqualTo(Lookup.Found.NO);
        answer = Answer.of(200, "{\"totalCount\":1,\"messages\":[{\"messageId\":\"other\",\"sourceTn\":\"+12025550100\","
                + "\"destinationTn\":\"+12025550199\"}]}");
        assertThat(sentMessages.find(send).found()).as("another recipient's message is not this one").isEqualTo(Lookup.Found.NO);
        answer = Answer.of(500, "{\"type\":\"internal-server-error\"}");
        assertThat(sentMessages.find(send).found()).isEqualTo(Lookup.Found.UNKNOWN);
        answer = Answer.of(429, "{\"type\":\"too-many-requests\"}");
        assertThat(sentMessages.find(send).found()).isEqualTo(Lookup.Found.UNKNOWN);
        answer = new Answer(200, Map.of(), "{}", Duration.ofMillis(2500));
        assertThat(sentMessages.find(send)).as("no answer: it cannot tell, and nothing throws")
                .satisfies(l -> assertThat(l.found()).isEqualTo(Lookup.Found.UNKNOWN));
    }

    @Test
    void shouldRejectOnOtherClientErrorsNamingTheProvidersReason() {
        SendResult r = send(Answer.of(400, "{\"type\":\"request-validation\",\"description\":\"Your request could not be accepted\","
                + "\"fieldErrors\":[{\"fieldName\":\"to\",\"description\":\"'+1' is invalid\"}]}"));
        assertThat(classify(r)).isEqualTo(ResponseClass.PERMANENT);
        assertThat(r.reason()).contains("400", "request-validation", "could not be accepted");
        assertThat(classify(send(Answer.of(401, "{\"type\":\"unauthorized\",\"description\":\"no\"}")))).as("the account, not the message")
                .isEqualTo(ResponseClass.ACCOUNT);
        assertThat(send(Answer.of(404, "{\"timestamp\":\"x\",\"status\":404,\"error\":\"Not Found\",\"message\":\"No message\",\"path\":\"/x\"}")).reason())
                .contains("Not Found");
    }

    @Test
    void shouldCheckTheCredentialsWithAGetOfTheMessageListBeforeAnySend() {
        answer = Answer.of(200, "{\"totalCount\":0,\"messages\":[]}");
        assertThat(credentials.refused("bandwidth")).isEmpty();
        Request req = REQUESTS.get(0);
        assertThat(req.method()).isEqualTo("GET");
        assertThat(req.uri()).isEqualTo("/api/v2/users/9900001/messages?limit=1");
        assertThat(req.authorization()).isEqualTo("Basic " + Base64.getEncoder().encodeToString("route-user:route-secret".getBytes()));

        answer = Answer.of(401, "{\"type\":\"unauthorized\",\"description\":\"Authentication failed\"}");
        assertThat(credentials.refused("bandwidth")).hasValueSatisfying(why -> assertThat(why)
                .contains("bandwidth refused the account (401 unauthorized").contains("pacer.providers.bandwidth"));
        answer = Answer.of(503, "");
        assertThat(credentials.refused("bandwidth")).as("a provider that is down cannot say: the sends will find out").isEmpty();
    }
}
