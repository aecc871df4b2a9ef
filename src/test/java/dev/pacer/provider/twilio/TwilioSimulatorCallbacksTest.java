package dev.pacer.provider.twilio;

import com.sun.net.httpserver.HttpServer;
import dev.pacer.provider.Callback;
import dev.pacer.provider.ProviderEvent;
import dev.pacer.provider.SimulatorProperties;
import dev.pacer.provider.SimulatorProperties.Receipts;
import dev.pacer.provider.SimulatorProperties.Replies;
import dev.pacer.provider.SimulatorServer.Reply;
import dev.pacer.provider.SimulatorServer.Request;
import dev.pacer.throttle.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the Twilio look-alike posts back once told where: the status callbacks of each message it
 * took to its {@code StatusCallback}, and a recipient's STOP as an incoming message, each signed as
 * Twilio signs, caught by a local HTTP server and read back by {@link TwilioApi}.
 */
class TwilioSimulatorCallbacksTest {

    private static final Instant T0 = Instant.parse("2030-01-01T12:00:00Z");
    private static final String SID = "ACtest";
    private static final String TOKEN = "secret";
    private static final String MESSAGES = "/2010-04-01/Accounts/ACtest/Messages.json";
    private static final String STATUS_CALLBACK = "https://pacer.example.com/callbacks/tw";
    private static final String FROM = "+12025550100";
    private static final String TO = "+12025550101";
    private static final String STOPS = "+12025550177";

    /** One post the simulator made. */
    private record Posted(Map<String, String> headers, String contentType, String body) {
        Map<String, String> form() {
            return new Callback(STATUS_CALLBACK, headers::get, contentType, body).form();
        }

        List<ProviderEvent> events() {
            return new TwilioApi(null, null, null, null).events(new Callback(STATUS_CALLBACK, headers::get, contentType, body), T0);
        }
    }

    private final BlockingQueue<Posted> posted = new LinkedBlockingQueue<>();
    private final MutableClock clock = new MutableClock(T0);
    private HttpServer server;
    private TwilioSimulator sim;

    @BeforeEach
    void listen() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/callbacks/tw", exchange -> {
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, values.get(0)));
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            posted.add(new Posted(headers, headers.get("Content-Type"), body));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        if (sim != null) {
            sim.close();
        }
        server.stop(0);
    }

    private TwilioSimulator simulator(Receipts receipts, Replies replies) throws IOException {
        SimulatorProperties p = SimulatorProperties.wellBehaved(600, 100).withReceipts(receipts).withReplies(replies);
        sim = new TwilioSimulator(new TwilioSimulator.Settings(SID, TOKEN, p), clock, new SplittableRandom(1), false);
        assertThat(sim.postReceipts(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/callbacks/tw"), null))
                .as("it posts").isTrue();
        return sim;
    }

    private static Receipts receipts(double duplicateRate, double filteredRate, int dailyCap) {
        return new Receipts(true, Duration.ofMillis(60), duplicateRate, filteredRate, dailyCap);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Sends a message through the model; its sid. */
    private String send(String to, boolean statusCallback) throws IOException {
        String form = "To=" + enc(to) + "&From=" + enc(FROM) + "&Body=" + enc("hello")
                + (statusCallback ? "&StatusCallback=" + enc(STATUS_CALLBACK) : "");
        Reply r = sim.answer(new Request("POST", MESSAGES, "Basic " + Base64.getEncoder().encodeToString((SID + ":" + TOKEN)
                .getBytes(StandardCharsets.UTF_8)), "application/x-www-form-urlencoded", form.getBytes(StandardCharsets.UTF_8)));
        assertThat(r.status()).isEqualTo(201);
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("sid").asText();
    }

    /** The next post, waited for at most 5 s. */
    private Posted next() throws InterruptedException {
        Posted p = posted.poll(5, TimeUnit.SECONDS);
        assertThat(p).as("a post within 5 s").isNotNull();
        return p;
    }

    private static void assertSigned(Posted p) {
        assertThat(p.headers().get("X-Twilio-Signature")).as("signed over the StatusCallback URL with the auth token")
                .isEqualTo(TwilioApi.signature(TOKEN, STATUS_CALLBACK, p.form()));
        assertThat(p.contentType()).startsWith("application/x-www-form-urlencoded");
    }

    private static ProviderEvent.Receipt receipt(Posted p) {
        return (ProviderEvent.Receipt) p.events().get(0);
    }

    @Test
    void shouldPostSentThenDeliveredToTheStatusCallbackSignedAsTwilioSigns() throws Exception {
        simulator(receipts(0, 0, 0), Replies.none());
        String sid = send(TO, true);

        Posted sent = next();
        assertSigned(sent);
        assertThat(sent.form()).containsEntry("MessageSid", sid).containsEntry("SmsSid", sid).containsEntry("MessageStatus", "sent")
                .containsEntry("AccountSid", SID).containsEntry("From", FROM).containsEntry("To", TO).containsEntry("ApiVersion", "2010-04-01")
                .doesNotContainKey("ErrorCode");
        assertThat(sent.events()).as("not final").isEmpty();

        Posted delivered = next();
        assertSigned(delivered);
        assertThat(delivered.form()).containsEntry("MessageStatus", "delivered").containsKey("RawDlrDoneDate").doesNotContainKey("ErrorCode");
        assertThat(receipt(delivered)).satisfies(r -> {
            assertThat(r.providerMessageId()).isEqualTo(sid);
            assertThat(r.delivered()).isTrue();
        });
        assertThat(TwilioApi.signature("another-token", STATUS_CALLBACK, delivered.form()))
                .isNotEqualTo(delivered.headers().get("X-Twilio-Signature"));
    }

    @Test
    void shouldPostUndeliveredWith30023OverTheDailyCapAnd30007WhenFiltered() throws Exception {
        simulator(receipts(0, 0, 1), Replies.none());
        send(TO, true);
        assertThat(next().form()).containsEntry("MessageStatus", "sent");
        assertThat(next().form()).containsEntry("MessageStatus", "delivered");
        String capped = send("+12025550102", true);
        assertThat(next().form()).containsEntry("MessageStatus", "sent");
        Posted over = next();
        assertSigned(over);
        assertThat(over.form()).containsEntry("MessageSid", capped).containsEntry("MessageStatus", "undelivered").containsEntry("ErrorCode", "30023");
        assertThat(receipt(over)).satisfies(r -> {
            assertThat(r.delivered()).isFalse();
            assertThat(r.errorCode()).isEqualTo("30023");
        });

        sim.receipts(receipts(0, 1.0, 0));
        String filtered = send("+12025550103", true);
        assertThat(next().form()).containsEntry("MessageStatus", "sent");
        Posted spam = next();
        assertThat(spam.form()).containsEntry("MessageSid", filtered).containsEntry("MessageStatus", "undelivered").containsEntry("ErrorCode", "30007");
        assertThat(receipt(spam).errorCode()).isEqualTo("30007");
    }

    @Test
    void shouldPostTheSameReceiptTwiceAtTheDuplicateShare() throws Exception {
        simulator(receipts(1.0, 0, 0), Replies.none());
        send(TO, true);
        next();
        Posted first = next();
        Posted again = next();
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(again.headers().get("X-Twilio-Signature")).isEqualTo(first.headers().get("X-Twilio-Signature"));
        assertThat(again.headers().get("I-Twilio-Idempotency-Token")).isEqualTo(first.headers().get("I-Twilio-Idempotency-Token"));
        assertThat(again.form()).containsEntry("MessageStatus", "delivered");
    }

    @Test
    void shouldPlayAStopFromARecipientWhoStopsAsTwiliosIncomingMessageOnce() throws Exception {
        // the reply comes before the receipts, so that none can be missed between them
        simulator(new Receipts(true, Duration.ofMillis(200), 0, 0, 0), new Replies(0, List.of(STOPS), Duration.ofMillis(20)));
        send(STOPS, true);
        Posted stop = next();
        assertSigned(stop);
        assertThat(stop.form()).containsEntry("Body", "STOP").containsEntry("From", STOPS).containsEntry("To", FROM)
                .containsEntry("SmsStatus", "received").containsEntry("AccountSid", SID).containsKey("MessageSid");
        assertThat(stop.events()).singleElement().isInstanceOfSatisfying(ProviderEvent.Reply.class, r -> {
            assertThat(r.from()).isEqualTo(STOPS);
            assertThat(r.text()).isEqualTo("STOP");
        });
        assertThat(next().form()).containsEntry("MessageStatus", "sent");
        assertThat(next().form()).containsEntry("MessageStatus", "delivered");

        send(STOPS, true);
        assertThat(next().form()).as("no second STOP").containsEntry("MessageStatus", "sent");
        assertThat(next().form()).containsEntry("MessageStatus", "delivered");
    }

    @Test
    void shouldPostNothingForAMessageWithoutAStatusCallback() throws Exception {
        simulator(receipts(0, 0, 0), new Replies(0, List.of(STOPS), Duration.ofMillis(20)));
        send(STOPS, false);
        String asked = send(TO, true);
        assertThat(next().form()).as("only the message that asked").containsEntry("MessageSid", asked).containsEntry("MessageStatus", "sent");
    }

    @Test
    void shouldPostNothingWithReceiptsAndRepliesOff() throws Exception {
        SimulatorProperties p = SimulatorProperties.wellBehaved(600, 100);
        sim = new TwilioSimulator(new TwilioSimulator.Settings(SID, TOKEN, p), clock, new SplittableRandom(1), false);
        assertThat(sim.postReceipts(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/callbacks/tw"), null)).isFalse();
    }
}
