package dev.pacer.receipt;

import dev.pacer.flow.Processes;
import dev.pacer.provider.twilio.TwilioApi;
import dev.pacer.suppression.SuppressionList;
import dev.pacer.system.PacerApplication;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code serve}'s {@code /callbacks/NAME} over HTTP: a callback without the provider's credentials
 * or signature changes nothing; a receipt posted for a message sent through the simulator ends it
 * DELIVERED; a STOP reply suppresses the number; the suppression list is managed over {@code /api}.
 */
@SpringBootTest(classes = PacerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:callbacks;DB_CLOSE_DELAY=-1",
        "pacer.simulator.enabled=true",
        "pacer.public-url=https://pacer.example.com/",
        "pacer.receipts.enabled=true",
        "pacer.simulator.receipts.enabled=true",
        "pacer.simulator.receipts.delay=PT2S",
        "pacer.simulator.receipts.duplicate-rate=1.0",
        "pacer.providers.bandwidth.callback-username=bw-callbacks",
        "pacer.providers.bandwidth.callback-password=bw-callback-secret",
        "pacer.providers.tw.type=twilio",
        "pacer.providers.tw.account-sid=AC0123456789abcdef",
        "pacer.providers.tw.auth-token=tw-token",
        "PACER_ADMIN_USER=ops",
        "PACER_ADMIN_PASSWORD=" + CallbackEndpointTest.PASSWORD})
class CallbackEndpointTest {

    static final String PASSWORD = "s3cret-for-callback-tests";
    private static final String BW_AUTH = "Basic " + Base64.getEncoder().encodeToString("bw-callbacks:bw-callback-secret".getBytes());

    @LocalServerPort
    int port;
    @Autowired
    RuntimeService runtime;
    @Autowired
    HistoryService history;
    @Autowired
    SuppressionList suppression;
    @Autowired
    Receipts receipts;

    private HttpResponse<String> post(String path, Map<String, String> headers, String contentType, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", contentType);
        headers.forEach(b::header);
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> api(String method, String path, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("ops:" + PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String stop(String from) {
        return "[{\"type\":\"message-received\",\"time\":\"2030-01-01T09:00:07Z\",\"to\":\"+12025550100\","
                + "\"message\":{\"id\":\"in-" + from + "\",\"from\":\"" + from + "\",\"text\":\"STOP\",\"owner\":\"+12025550100\"}}]";
    }

    @Test
    void shouldChangeNothingForACallbackWithoutBandwidthsCredentials() throws Exception {
        assertThat(post("/callbacks/bandwidth", Map.of(), "application/json", stop("+12025550111")).statusCode()).isEqualTo(401);
        assertThat(post("/callbacks/bandwidth", Map.of("Authorization", "Basic " + Base64.getEncoder().encodeToString("bw-callbacks:guess"
                .getBytes())), "application/json", stop("+12025550111")).statusCode()).isEqualTo(401);
        assertThat(suppression.contains("+12025550111")).isFalse();
        assertThat(post("/callbacks/bandwidth", Map.of("Authorization", BW_AUTH), "application/json", stop("+12025550111")).statusCode())
                .isEqualTo(200);
        assertThat(suppression.contains("+12025550111")).as("STOP honoured").isTrue();
        assertThat(post("/callbacks/nobody", Map.of("Authorization", BW_AUTH), "application/json", "[]").statusCode()).isEqualTo(404);
    }

    @Test
    void shouldChangeNothingForATwilioCallbackWhoseSignatureDoesNotMatch() throws Exception {
        String body = "MessageSid=SM77&SmsStatus=received&From=%2B12025550122&To=%2B12025550100&Body=STOP";
        Map<String, String> form = new TreeMap<>(Map.of("MessageSid", "SM77", "SmsStatus", "received", "From", "+12025550122",
                "To", "+12025550100", "Body", "STOP"));
        String signature = TwilioApi.signature("tw-token", "https://pacer.example.com/callbacks/tw", form);
        assertThat(post("/callbacks/tw", Map.of("X-Twilio-Signature", TwilioApi.signature("not-the-token", "https://pacer.example.com/callbacks/tw", form)),
                "application/x-www-form-urlencoded", body).statusCode()).isEqualTo(403);
        assertThat(suppression.contains("+12025550122")).isFalse();
        assertThat(post("/callbacks/tw", Map.of("X-Twilio-Signature", signature), "application/x-www-form-urlencoded", body).statusCode())
                .isEqualTo(200);
        assertThat(suppression.contains("+12025550122")).isTrue();
        assertThat(suppression.changes("+12025550122")).singleElement().satisfies(c -> assertThat(c.by()).isEqualTo("tw"));
    }

    @Test
    void shouldEndAMessageDeliveredWhenItsReceiptIsPosted() throws Exception {
        ProcessInstance pi = runtime.startProcessInstanceByKey(Processes.DELIVERY, "receipt-e2e-1", Map.of("provider", "bandwidth",
                "from", "+12025550100", "to", "+12025550133", "text", "hello"));
        String id = awaitReceiptWait(pi);
        String receipt = "[{\"type\":\"message-delivered\",\"time\":\"2030-01-01T09:00:05Z\",\"to\":\"+12025550133\",\"description\":\"ok\","
                + "\"message\":{\"id\":\"" + id + "\",\"tag\":\"receipt-e2e-1\"}}]";
        HttpResponse<String> r = post("/callbacks/bandwidth", Map.of("Authorization", BW_AUTH), "application/json", receipt);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("applied 1");
        assertThat(history.createHistoricVariableInstanceQuery().processInstanceId(pi.getId()).variableName("outcome").singleResult()
                .getValue()).isEqualTo("DELIVERED");
        assertThat(post("/callbacks/bandwidth", Map.of("Authorization", BW_AUTH), "application/json", receipt).body())
                .as("a duplicate changes nothing").contains("applied 0, kept 0");
    }

    @Test
    void shouldEndAMessageDeliveredByTheReceiptTheSimulatorPostsTwice() throws Exception {
        ProcessInstance pi = runtime.startProcessInstanceByKey(Processes.DELIVERY, "receipt-e2e-2", Map.of("provider", "bandwidth",
                "from", "+12025550100", "to", "+12025550155", "text", "hello"));
        long duplicatesBefore = receipts.duplicates();
        Instant until = Instant.now().plus(Duration.ofSeconds(20));
        while (Instant.now().isBefore(until) && (runtime.createProcessInstanceQuery().processInstanceId(pi.getId()).count() > 0
                || receipts.duplicates() == duplicatesBefore)) {
            Thread.sleep(50);
        }
        assertThat(history.createHistoricVariableInstanceQuery().processInstanceId(pi.getId()).variableName("outcome").singleResult()
                .getValue()).isEqualTo("DELIVERED");
        assertThat(receipts.duplicates()).as("its receipt posted twice, applied once").isGreaterThan(duplicatesBefore);
    }

    /** Waits (bounded) for the real-time message to reach its receipt wait; its provider id. */
    private String awaitReceiptWait(ProcessInstance pi) throws InterruptedException {
        Instant until = Instant.now().plus(Duration.ofSeconds(20));
        while (Instant.now().isBefore(until)) {
            if (runtime.createExecutionQuery().processInstanceId(pi.getId()).messageEventSubscriptionName(Processes.RECEIPT).count() > 0) {
                return (String) runtime.getVariable(pi.getId(), "providerMessageId");
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the message did not reach its receipt wait within 20 s");
    }

    @Test
    void shouldManageTheSuppressionListOverTheApiWithAnAuditOfEachChange() throws Exception {
        assertThat(api("POST", "/api/suppression", "{\"number\": \"+12025550144\", \"reason\": \"asked by phone\"}").statusCode()).isEqualTo(201);
        assertThat(api("POST", "/api/suppression", "{\"number\": \"12345\", \"reason\": \"x\"}").statusCode()).isEqualTo(400);
        assertThat(api("GET", "/api/suppression", null).body()).contains("+12025550144").contains("asked by phone");
        assertThat(api("DELETE", "/api/suppression/+12025550144?reason=mistake", null).statusCode()).isEqualTo(200);
        assertThat(suppression.contains("+12025550144")).isFalse();
        assertThat(api("GET", "/api/suppression/changes?number=%2B12025550144", null).body()).contains("\"by\":\"ops\"").contains("mistake");
        assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/suppression")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).as("behind the logins").isEqualTo(401);
    }
}
