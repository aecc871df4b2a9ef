package dev.pacer.receipt;

import dev.pacer.provider.Callback;
import dev.pacer.provider.ProviderAccount;
import dev.pacer.provider.ProviderApi;
import dev.pacer.provider.ProviderEvent;
import dev.pacer.provider.ProviderProperties;
import dev.pacer.provider.bandwidth.BandwidthApi;
import dev.pacer.provider.twilio.TwilioApi;
import dev.pacer.retry.WaitBounds;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** How each provider's callbacks are authenticated and read: Bandwidth's Basic credentials and JSON events, Twilio's signed forms. */
class CallbacksTest {

    private static final Instant NOW = Instant.parse("2030-01-01T09:00:00Z");
    private static final WaitBounds BOUNDS = new WaitBounds(Duration.ZERO, Duration.ofMinutes(15));
    private final BandwidthApi bandwidth = new BandwidthApi(BOUNDS, Duration.ofSeconds(1));
    private final TwilioApi twilio = new TwilioApi(BOUNDS, Duration.ofSeconds(1), Clock.systemUTC(), "https://pacer.example.com");

    private static ProviderAccount account(String type, String callbackUser, String callbackPassword) {
        ProviderProperties p = new ProviderProperties(type, "http://127.0.0.1:9", "acct", "app", "user", "secret", 600, 0, 8,
                ProviderProperties.Layer.none(), ProviderProperties.Layer.none(), "user", null, null, null, 0, "AC1", "tw-token", null, 0,
                callbackUser, callbackPassword, "America/Los_Angeles", 0);
        return new ProviderAccount(type, type, "http://127.0.0.1:9", p, false, "acct", false, true);
    }

    private static Callback callback(String url, Map<String, String> headers, String contentType, String body) {
        Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        h.putAll(headers);
        return new Callback(url, h::get, contentType, body);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static final String BANDWIDTH_EVENTS = "[{\"type\":\"message-delivered\",\"time\":\"2030-01-01T09:00:05Z\",\"to\":\"+12025550101\","
            + "\"description\":\"ok\",\"message\":{\"id\":\"bw-1\",\"tag\":\"c1/7\",\"owner\":\"+12025550100\"}},"
            + "{\"type\":\"message-failed\",\"time\":\"2030-01-01T09:00:06Z\",\"to\":\"+12025550102\",\"description\":\"rejected-spam-detected\","
            + "\"errorCode\":4470,\"message\":{\"id\":\"bw-2\"}},"
            + "{\"type\":\"message-sending\",\"message\":{\"id\":\"bw-3\"}},"
            + "{\"type\":\"message-received\",\"time\":\"2030-01-01T09:00:07Z\",\"to\":\"+12025550100\","
            + "\"message\":{\"id\":\"bw-in\",\"from\":\"+12025550101\",\"text\":\"STOP\",\"owner\":\"+12025550100\"}}]";

    @Test
    void shouldRefuseABandwidthCallbackWithoutTheApplicationsCredentials() {
        ProviderAccount account = account("bandwidth", "cb-user", "cb-secret");
        assertThat(bandwidth.refusesCallback(account, callback(null, Map.of(), "application/json", BANDWIDTH_EVENTS)))
                .hasValueSatisfying(r -> assertThat(r.status()).isEqualTo(401));
        assertThat(bandwidth.refusesCallback(account, callback(null, Map.of("Authorization", basic("cb-user", "wrong")), "application/json", "[]")))
                .hasValueSatisfying(r -> assertThat(r.status()).isEqualTo(401));
        assertThat(bandwidth.refusesCallback(account, callback(null, Map.of("Authorization", basic("cb-user", "cb-secret")), "application/json", "[]")))
                .isEmpty();
        assertThat(bandwidth.refusesCallback(account("bandwidth", null, null), callback(null, Map.of("Authorization", basic("x", "y")),
                "application/json", "[]"))).as("no credentials configured: every callback refused")
                .hasValueSatisfying(r -> assertThat(r.reason()).contains("callback-username"));
    }

    @Test
    void shouldReadBandwidthsReceiptsAndRepliesAndSkipIntermediateStates() {
        List<ProviderEvent> events = bandwidth.events(callback(null, Map.of(), "application/json", BANDWIDTH_EVENTS), NOW);
        assertThat(events).hasSize(3);
        assertThat(events.get(0)).isEqualTo(new ProviderEvent.Receipt("bw-1", "c1/7", "+12025550101", true, null, "ok",
                Instant.parse("2030-01-01T09:00:05Z")));
        ProviderEvent.Receipt failed = (ProviderEvent.Receipt) events.get(1);
        assertThat(failed.delivered()).isFalse();
        assertThat(failed.errorCode()).isEqualTo("4470");
        ProviderEvent.Reply reply = (ProviderEvent.Reply) events.get(2);
        assertThat(reply.from()).isEqualTo("+12025550101");
        assertThat(reply.to()).isEqualTo("+12025550100");
        assertThat(reply.text()).isEqualTo("STOP");
        assertThat(bandwidth.events(callback(null, Map.of(), "application/json", "not json"), NOW)).isEmpty();
    }

    @Test
    void shouldCheckTwiliosSignatureOverThePublicUrlAndTheSortedForm() {
        ProviderAccount account = account("twilio", null, null);
        String url = "https://pacer.example.com/callbacks/twilio";
        String body = "MessageSid=SM1&MessageStatus=undelivered&ErrorCode=30007&To=%2B12025550101&From=%2B12025550100&AccountSid=AC1";
        Map<String, String> form = callback(url, Map.of(), "application/x-www-form-urlencoded", body).form();
        String signature = TwilioApi.signature("tw-token", url, form);
        assertThat(twilio.refusesCallback(account, callback(url, Map.of("X-Twilio-Signature", signature), "application/x-www-form-urlencoded", body)))
                .isEmpty();
        assertThat(twilio.refusesCallback(account, callback(url, Map.of("X-Twilio-Signature", signature), "application/x-www-form-urlencoded",
                body.replace("30007", "30008")))).as("a changed parameter").hasValueSatisfying(r -> assertThat(r.status()).isEqualTo(403));
        assertThat(twilio.refusesCallback(account, callback(url, Map.of(), "application/x-www-form-urlencoded", body)))
                .hasValueSatisfying(r -> assertThat(r.status()).isEqualTo(403));
        assertThat(twilio.refusesCallback(account, callback(null, Map.of("X-Twilio-Signature", signature), "application/x-www-form-urlencoded", body)))
                .as("no pacer.public-url").hasValueSatisfying(r -> assertThat(r.reason()).contains("pacer.public-url"));
        // the documented algorithm: HMAC-SHA1 of URL + name + value for each parameter sorted by name, Base64
        assertThat(TwilioApi.signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2",
                Map.of("CallSid", "CA1234567890ABCDE", "Caller", "+12349013030", "Digits", "1234", "From", "+12349013030",
                        "To", "+18005551212"))).isEqualTo("0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
    }

    @Test
    void shouldReadTwiliosStatusCallbacksAndIncomingMessages() {
        String url = "https://pacer.example.com/callbacks/twilio";
        List<ProviderEvent> failed = twilio.events(callback(url, Map.of(), "application/x-www-form-urlencoded",
                "MessageSid=SM1&MessageStatus=undelivered&ErrorCode=30007&To=%2B12025550101"), NOW);
        assertThat(failed).singleElement().isEqualTo(new ProviderEvent.Receipt("SM1", null, "+12025550101", false, "30007", "undelivered", NOW));
        assertThat(twilio.events(callback(url, Map.of(), "application/x-www-form-urlencoded", "MessageSid=SM1&MessageStatus=delivered"), NOW))
                .singleElement().satisfies(e -> assertThat(((ProviderEvent.Receipt) e).delivered()).isTrue());
        assertThat(twilio.events(callback(url, Map.of(), "application/x-www-form-urlencoded", "MessageSid=SM1&MessageStatus=sent"), NOW))
                .as("not final").isEmpty();
        assertThat(twilio.events(callback(url, Map.of(), "application/x-www-form-urlencoded",
                "MessageSid=SM9&SmsStatus=received&From=%2B12025550101&To=%2B12025550100&Body=HELP"), NOW))
                .singleElement().isEqualTo(new ProviderEvent.Reply("SM9", "+12025550101", "+12025550100", "HELP", NOW));
    }

    @Test
    void shouldRefuseCallbacksToAProviderThatPostsNone() {
        ProviderApi none = new ProviderApi() {
            public String type() {
                return "none";
            }

            public dev.pacer.throttle.ScopeLimit.Unit accountUnit() {
                return dev.pacer.throttle.ScopeLimit.Unit.REQUESTS;
            }

            public void check(ProviderAccount account) {
            }

            public dev.pacer.provider.ProviderRequest request(dev.pacer.provider.OutgoingMessage m, ProviderAccount a) {
                return null;
            }

            public dev.pacer.provider.SendResult read(int status, java.util.function.Function<String, String> h, String b,
                                                      dev.pacer.provider.OutgoingMessage m, Instant now) {
                return null;
            }

            public java.util.Optional<dev.pacer.provider.ProviderRequest> credentialCheck(ProviderAccount account) {
                return java.util.Optional.empty();
            }

            public dev.pacer.provider.ProviderSimulator simulate(ProviderAccount a, dev.pacer.provider.SimulatorProperties s, Clock c) {
                return null;
            }
        };
        assertThat(none.refusesCallback(account("bandwidth", "u", "p"), callback(null, Map.of(), "application/json", "[]")))
                .hasValueSatisfying(r -> assertThat(r.status()).isEqualTo(404));
    }
}
