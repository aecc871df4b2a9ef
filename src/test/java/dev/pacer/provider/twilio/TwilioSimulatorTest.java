package dev.pacer.provider.twilio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.provider.RetryAfterMode;
import dev.pacer.provider.SimulatorProperties;
import dev.pacer.provider.SimulatorServer.Reply;
import dev.pacer.provider.SimulatorServer.Request;
import dev.pacer.provider.twilio.TwilioSimulator.Settings;
import dev.pacer.throttle.MutableClock;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The Twilio look-alike's answers and score, driven through its model on a hand-moved clock. */
class TwilioSimulatorTest {

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final String SID = "ACtest";
    private static final String TOKEN = "secret";
    private static final String MESSAGES = "/2010-04-01/Accounts/ACtest/Messages.json";
    private static final String FROM = "+12025550100";
    private static final String OTHER_FROM = "+12025550199";
    private static final String TO = "+12025550101";
    private static final String OTHER_TO = "+12025550102";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final MutableClock clock = new MutableClock(T0);

    private TwilioSimulator model(SimulatorProperties p) throws IOException {
        return new TwilioSimulator(new Settings(SID, TOKEN, p), clock, new SplittableRandom(1), false);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String form(String to, String from, String body) {
        return "To=" + enc(to) + "&From=" + enc(from) + "&Body=" + enc(body);
    }

    private static Reply post(TwilioSimulator sim, String form) {
        return post(sim, basic(SID, TOKEN), MESSAGES, form);
    }

    private static Reply post(TwilioSimulator sim, String authorization, String path, String form) {
        return sim.answer(new Request("POST", path, authorization, "application/x-www-form-urlencoded; charset=utf-8",
                form.getBytes(StandardCharsets.UTF_8)));
    }

    private static Reply get(TwilioSimulator sim, String path, Map<String, String> query) {
        return sim.answer(new Request("GET", path, basic(SID, TOKEN), null, new byte[0], query));
    }

    private static JsonNode json(Reply r) throws IOException {
        return JSON.readTree(r.body());
    }

    private static void assertError(Reply r, int status, int code) throws IOException {
        assertThat(r.status()).isEqualTo(status);
        JsonNode body = json(r);
        assertThat(body.path("code").asInt()).isEqualTo(code);
        assertThat(body.path("status").asInt()).isEqualTo(status);
        assertThat(body.path("more_info").asText()).isEqualTo("https://www.twilio.com/docs/errors/" + code);
        assertThat(r.headers()).containsEntry("Content-Type", "application/json");
    }

    private static List<String> bodies(Reply page) throws IOException {
        List<String> bodies = new ArrayList<>();
        json(page).path("messages").forEach(m -> bodies.add(m.path("body").asText()));
        return bodies;
    }

    @Test
    void shouldAcceptAMessageInTwiliosShape() throws IOException {
        TwilioSimulator sim = model(SimulatorProperties.wellBehaved(600, 100));
        Reply r = post(sim, "To=%2B12025550101&From=%2B12025550100&Body=Hello+world");
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.headers()).containsEntry("Content-Type", "application/json");
        JsonNode m = json(r);
        String sid = m.path("sid").asText();
        assertThat(sid).matches("SM[0-9a-f]{32}");
        assertThat(m.path("account_sid").asText()).isEqualTo(SID);
        assertThat(m.path("to").asText()).isEqualTo(TO);
        assertThat(m.path("from").asText()).isEqualTo(FROM);
        assertThat(m.path("body").asText()).as("'+' is a space").isEqualTo("Hello world");
        assertThat(m.path("status").asText()).isEqualTo("queued");
        assertThat(m.path("num_segments").isTextual()).as("a string, as Twilio sends it").isTrue();
        assertThat(m.path("num_segments").asText()).isEqualTo("1");
        assertThat(m.path("direction").asText()).isEqualTo("outbound-api");
        assertThat(m.path("date_created").asText()).isEqualTo("Tue, 01 Jan 2030 00:00:00 +0000");
        assertThat(m.path("date_sent").isNull()).isTrue();
        assertThat(m.path("error_code").isNull()).isTrue();
        assertThat(m.path("price").isNull()).isTrue();
        assertThat(m.path("uri").asText()).isEqualTo("/2010-04-01/Accounts/ACtest/Messages/" + sid + ".json");

        Reply twoSegments = post(sim, form(OTHER_TO, FROM, "x".repeat(161)));
        assertThat(json(twoSegments).path("num_segments").asText()).isEqualTo("2");

        TwilioSimulator.Stats stats = sim.stats();
        assertThat(stats.requests()).isEqualTo(2);
        assertThat(stats.accepted()).isEqualTo(2);
        assertThat(stats.acceptedSegments()).isEqualTo(3);
        assertThat(stats.firstRequestAt()).isEqualTo(T0);
        assertThat(sim.acceptedTimes()).containsExactly(T0, T0);
    }

    @Test
    void shouldAcceptThroughAMessagingService() throws IOException {
        TwilioSimulator sim = model(SimulatorProperties.wellBehaved(600, 100));
        Reply r = post(sim, "To=" + enc(TO) + "&MessagingServiceSid=MG123&Body=hi");
        assertThat(r.status()).isEqualTo(201);
        JsonNode m = json(r);
        assertThat(m.path("from").isNull()).isTrue();
        assertThat(m.path("messaging_service_sid").asText()).isEqualTo("MG123");
        assertThat(m.path("status").asText()).isEqualTo("accepted");
    }

    @Test
    void shouldRefuseWrongCredentialsAndUnknownPaths() throws IOException {
        TwilioSimulator sim = model(SimulatorProperties.wellBehaved(600, 100));
        Reply wrong = post(sim, basic(SID, "nope"), MESSAGES, form(TO, FROM, "hi"));
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.body()).isEqualTo(
                "{\"code\":20003,\"message\":\"Authenticate\",\"more_info\":\"https://www.twilio.com/docs/errors/20003\",\"status\":401}");
        assertError(post(sim, null, MESSAGES, form(TO, FROM, "hi")), 401, 20003);
        assertError(post(sim, basic(SID, TOKEN), "/2010-04-01/Accounts/ACother/Messages.json", form(TO, FROM, "hi")), 404, 20404);
        assertThat(sim.stats().rejected()).isEqualTo(3);
        assertThat(sim.stats().accepted()).isZero();

        Reply account = sim.answer(new Request("GET", "/2010-04-01/Accounts/ACtest.json", basic(SID, "nope"), null, new byte[0]));
        assertError(account, 401, 20003);
    }

    @Test
    void shouldRefuseInvalidMessagesWithTwiliosCodes() throws IOException {
        TwilioSimulator sim = model(SimulatorProperties.wellBehaved(600, 100));
        Reply badTo = post(sim, form("12345", FROM, "hi"));
        assertError(badTo, 400, 21211);
        assertThat(json(badTo).path("message").asText()).isEqualTo("The 'To' number 12345 is not a valid phone number.");
        Reply noSender = post(sim, "To=" + enc(TO) + "&Body=hi");
        assertError(noSender, 400, 21603);
        assertThat(json(noSender).path("message").asText()).isEqualTo("A 'From' or 'MessagingServiceSid' parameter is required");
        Reply noBody = post(sim, "To=" + enc(TO) + "&From=" + enc(FROM));
        assertError(noBody, 400, 21602);
        assertThat(json(noBody).path("message").asText()).isEqualTo("Message body is required.");
        assertError(post(sim, form(TO, FROM, "x".repeat(1601))), 400, 21617);
        assertError(post(sim, form(TO, FROM, "hi") + "&ValidityPeriod=0"), 400, 21609);
        assertError(post(sim, form(TO, FROM, "hi") + "&ValidityPeriod=36001"), 400, 21609);
        Reply notANumber = post(sim, form(TO, FROM, "hi") + "&ValidityPeriod=soon");
        assertError(notANumber, 400, 21609);
        assertThat(json(notANumber).path("message").asText()).isEqualTo("Invalid ValidityPeriod");
        assertThat(sim.stats().rejected()).isEqualTo(7);

        assertThat(post(sim, form(TO, FROM, "x".repeat(1600))).status()).as("1,600 characters are allowed").isEqualTo(201);
        assertThat(post(sim, form(OTHER_TO, FROM, "hi") + "&ValidityPeriod=36000").status()).isEqualTo(201);
        assertThat(sim.stats().accepted()).isEqualTo(2);
    }

    @Test
    void shouldRefuseWith21611WhenASendersQueueIsFullAndTakeMoreOnceItDrains() throws IOException {
        TwilioSimulator sim = model(SimulatorProperties.wellBehaved(60, 2));
        assertThat(post(sim, form(TO, FROM, "one")).status()).isEqualTo(201);
        assertThat(post(sim, form(TO, FROM, "two")).status()).isEqualTo(201);
        Reply full = post(sim, form(TO, FROM, "three"));
        assertError(full, 400, 21611);
        assertThat(json(full).path("message").asText()).isEqualTo("This 'From' number has exceeded the maximum number of queued messages");
        assertThat(full.headers()).doesNotContainKey("Retry-After");
        assertThat(post(sim, form(OTHER_TO, OTHER_FROM, "four")).status()).as("each sender has a queue of its own").isEqualTo(201);

        clock.advance(Duration.ofMillis(100));
        assertError(post(sim, form(TO, FROM, "three")), 400, 21611);
        assertThat(sim.stats().insideFullQueue()).as("the sender should have been held").isEqualTo(1);

        clock.advance(Duration.ofSeconds(1));
        assertThat(post(sim, form(TO, FROM, "three")).status()).as("a segment drained each second").isEqualTo(201);
        TwilioSimulator.Stats stats = sim.stats();
        assertThat(stats.queueFull()).isEqualTo(2);
        assertThat(stats.insideFullQueue()).isEqualTo(1);
        assertThat(stats.rejected()).as("back-pressure, not a bad message").isZero();
        assertThat(stats.duplicates()).isZero();
    }

    @Test
    void shouldNotHoldARequestAlreadyOnItsWayAgainstTheClient() throws IOException {
        TwilioSimulator sim = model(SimulatorProperties.wellBehaved(60, 1));
        post(sim, form(TO, FROM, "one"));
        assertError(post(sim, form(TO, FROM, "two")), 400, 21611);
        assertError(post(sim, form(OTHER_TO, FROM, "three")), 400, 21611);
        assertThat(sim.stats().insideFullQueue()).isZero();
    }

    @Test
    void shouldRefuseWith20429OverTheConcurrencyLimit() throws IOException {
        TwilioSimulator sim = model(SimulatorProperties.wellBehaved(600, 100).with(2, Duration.ofHours(24), false));
        sim.inFlight(1);
        assertThat(post(sim, form(TO, FROM, "at the limit")).status()).isEqualTo(201);
        sim.inFlight(2);
        Reply tooMany = post(sim, form(TO, FROM, "over the limit"));
        assertError(tooMany, 429, 20429);
        assertThat(json(tooMany).path("message").asText()).isEqualTo("Too Many Requests");
        assertThat(tooMany.headers()).doesNotContainKey("Retry-After");
        sim.inFlight(0);
        assertThat(post(sim, form(TO, FROM, "over the limit")).status()).as("never processed: safe to send again").isEqualTo(201);
        TwilioSimulator.Stats stats = sim.stats();
        assertThat(stats.tooManyConcurrent()).isEqualTo(1);
        assertThat(stats.maxConcurrent()).isEqualTo(3);
        assertThat(stats.accepted()).isEqualTo(2);
        assertThat(stats.duplicates()).isZero();
    }

    @Test
    void shouldSearchTheMessageList() throws IOException {
        TwilioSimulator sim = model(SimulatorProperties.wellBehaved(600, 100));
        post(sim, form(TO, FROM, "first"));
        post(sim, form(OTHER_TO, FROM, "second"));
        clock.set(T0.plus(Duration.ofDays(1)));
        post(sim, form(TO, FROM, "third"));

        Reply since = get(sim, MESSAGES, Map.of("To", TO, "DateSent>=", "2030-01-02"));
        assertThat(since.status()).isEqualTo(200);
        assertThat(bodies(since)).containsExactly("third");
        JsonNode page = json(since);
        assertThat(page.path("page").asInt()).isZero();
        assertThat(page.path("page_size").asInt()).isEqualTo(50);
        assertThat(page.path("next_page_uri").isNull()).isTrue();
        JsonNode listed = page.path("messages").path(0);
        assertThat(listed.path("sid").asText()).matches("SM[0-9a-f]{32}");
        assertThat(listed.path("num_segments").asText()).isEqualTo("1");
        assertThat(listed.path("date_created").asText()).isEqualTo("Wed, 02 Jan 2030 00:00:00 +0000");

        assertThat(bodies(get(sim, MESSAGES, Map.of("To", TO)))).as("newest first").containsExactly("third", "first");
        assertThat(bodies(get(sim, MESSAGES, Map.of("DateSent>", "2030-01-01")))).as("on or after").hasSize(3);
        assertThat(bodies(get(sim, MESSAGES, Map.of("DateSent<", "2030-01-01")))).as("on or before").containsExactly("second", "first");
        assertThat(bodies(get(sim, MESSAGES, Map.of("From", FROM, "DateSent", "2030-01-02")))).containsExactly("third");
        assertThat(bodies(get(sim, MESSAGES, Map.of("From", OTHER_FROM)))).isEmpty();
        Reply one = get(sim, MESSAGES, Map.of("PageSize", "1"));
        assertThat(bodies(one)).containsExactly("third");
        assertThat(json(one).path("page_size").asInt()).isEqualTo(1);

        Reply account = get(sim, "/2010-04-01/Accounts/ACtest.json", Map.of());
        assertThat(account.status()).isEqualTo(200);
        assertThat(json(account).path("sid").asText()).isEqualTo(SID);
        assertThat(json(account).path("status").asText()).isEqualTo("active");
        assertThat(json(account).path("friendly_name").asText()).isEqualTo("Pacer simulator");

        Reply refused = sim.answer(new Request("GET", MESSAGES, null, null, new byte[0], Map.of()));
        assertError(refused, 401, 20003);
        assertThat(sim.stats().requests()).as("the GETs are outside the score").isEqualTo(3);
        assertThat(sim.acceptedTimes()).containsExactly(T0, T0, T0.plus(Duration.ofDays(1)));
    }

    @Test
    void shouldCountTheSameTextToTheSameNumberWithinTenMinutesAsADuplicate() throws IOException {
        TwilioSimulator sim = model(SimulatorProperties.wellBehaved(600, 100));
        post(sim, form(TO, FROM, "your code is 1234"));
        clock.advance(Duration.ofMinutes(5));
        post(sim, form(TO, OTHER_FROM, "your code is 1234"));
        post(sim, form(OTHER_TO, FROM, "your code is 1234"));
        assertThat(sim.stats().duplicates()).isEqualTo(1);
        clock.advance(Duration.ofMinutes(11));
        post(sim, form(TO, FROM, "your code is 1234"));
        assertThat(sim.stats().duplicates()).as("more than ten minutes later").isEqualTo(1);
    }

    @Test
    void shouldAnswer500AtRandom() throws IOException {
        SimulatorProperties failing = new SimulatorProperties(true, null, 600, 100, RetryAfterMode.NONE, 1, true, Duration.ZERO, 1.0,
                Duration.ZERO, 0, Duration.ofSeconds(1), Duration.ZERO, Duration.ZERO, 0, Duration.ofHours(24), false,
                SimulatorProperties.Receipts.none());
        TwilioSimulator sim = model(failing);
        assertError(post(sim, form(TO, FROM, "hi")), 500, 20500);
        assertThat(sim.stats().serverErrors()).isEqualTo(1);
        assertThat(sim.stats().accepted()).isZero();
    }
}
