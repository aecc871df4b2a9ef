package dev.pacer.delivery;

import dev.pacer.provider.CredentialUnavailableException;
import dev.pacer.provider.MessageSender;
import dev.pacer.provider.OutgoingMessage;
import dev.pacer.provider.ProviderAccount;
import dev.pacer.provider.ProviderApi;
import dev.pacer.provider.ProviderProperties;
import dev.pacer.provider.ProviderRequest;
import dev.pacer.provider.Providers;
import dev.pacer.provider.RetryAfterMode;
import dev.pacer.provider.SendResult;
import dev.pacer.provider.SimulatorProperties;
import dev.pacer.provider.SimulatorServer.Reply;
import dev.pacer.provider.SimulatorServer.Request;
import dev.pacer.provider.genesys.GenesysApi;
import dev.pacer.provider.genesys.GenesysSimulator;
import dev.pacer.provider.genesys.GenesysTokens;
import dev.pacer.provider.twilio.TwilioApi;
import dev.pacer.provider.twilio.TwilioSimulator;
import dev.pacer.retry.WaitBounds;
import dev.pacer.sms.Segments;
import dev.pacer.system.CamundaClock;
import dev.pacer.system.PacerProperties;
import dev.pacer.testkit.DeliveryFixture;
import dev.pacer.testkit.PacerEngine;
import dev.pacer.testkit.TestProperties;
import dev.pacer.throttle.Adaptation;
import dev.pacer.throttle.Pacer;
import dev.pacer.throttle.PacerSettings;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pacer against hostile Twilio and Genesys Cloud providers, as {@link HostileProviderTest} does
 * against Bandwidth: the real delivery flow and response rules, each provider's API and simulator
 * model without HTTP, a punctual job executor on the engine clock. Twilio: a sender whose queue
 * drains at half the configured rate (21611). Genesys Cloud: a per-client limit half the one
 * configured, 429s whose two waits disagree, and every token expiring in the middle of the campaign.
 */
@Deployment(resources = {"delivery.bpmn", "response-rules.dmn"})
class TwilioAndGenesysHostileTest {

    @RegisterExtension
    static PacerEngine engine = new PacerEngine();

    private static final Instant T0 = Instant.parse("2030-01-01T09:00:00Z");
    private static final Duration FALLBACK = Duration.ofSeconds(1);

    private static Pacer pacer(CamundaClock clock) {
        return new Pacer(clock, new PacerSettings(Duration.ofSeconds(2), Duration.ofMillis(100),
                new Adaptation(0.7, 0.05, Duration.ofSeconds(5), 0.05)), new SplittableRandom(7));
    }

    private static SimulatorProperties simulator(int perMinute, int capacity, boolean inconsistent) {
        return new SimulatorProperties(true, null, perMinute, capacity, RetryAfterMode.SECONDS, 1, false, Duration.ZERO, 0, Duration.ZERO,
                0, Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ZERO, 0, Duration.ofHours(1), inconsistent,
                SimulatorProperties.Receipts.none());
    }

    /** A provider route without HTTP: the API's request, the simulator's answer, the API's reading; a 401 renews once, as the route does. */
    private static final class ModelSender implements MessageSender {
        private final Function<Request, Reply> provider;
        private final CamundaClock clock;
        Providers providers;

        ModelSender(Function<Request, Reply> provider, CamundaClock clock) {
            this.provider = provider;
            this.clock = clock;
        }

        @Override
        public SendResult send(OutgoingMessage m) {
            ProviderAccount account = providers.account(m.provider());
            ProviderApi api = providers.api(account);
            try {
                ProviderRequest request = api.request(m, account);
                Reply reply = answer(request);
                if (reply.status() == 401 && api.renews()) {
                    api.renew(account, request);
                    Map<String, String> headers = new HashMap<>(request.headers());
                    headers.remove("Authorization");
                    reply = answer(api.authorize(new ProviderRequest(request.method(), request.path(), request.contentType(), headers,
                            request.body()), account));
                }
                Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                headers.putAll(reply.headers());
                return api.read(reply.status(), headers::get, reply.body(), m, clock.instant());
            } catch (CredentialUnavailableException e) {
                return SendResult.failed(e.status(), "no-credential", e.getMessage());
            }
        }

        private Reply answer(ProviderRequest request) {
            return provider.apply(new Request("POST", request.path(), request.headers().get("Authorization"), request.contentType(),
                    request.body().getBytes(StandardCharsets.UTF_8)));
        }
    }

    private static long accepted() {
        return engine.getHistoryService().createHistoricVariableInstanceQuery().variableName("outcome")
                .variableValueEquals("outcome", "ACCEPTED").count();
    }

    private static Map<String, Object> message(String provider, int row, String text) {
        Map<String, Object> vars = DeliveryFixture.message("+1202555" + String.format("%04d", row), text, Segments.count(text).segments(),
                null, "PENDING");
        vars.put("provider", provider);
        return vars;
    }

    @Test
    void shouldKeepATwilioSenderWhoseQueueDrainsAtHalfTheConfiguredRateFlowing() throws Exception {
        engine.clockAt(T0);
        CamundaClock clock = new CamundaClock();
        int trueRate = 300;
        TwilioSimulator simulator = new TwilioSimulator(new TwilioSimulator.Settings("AC0123", "token", simulator(trueRate, 20, false)), clock,
                new SplittableRandom(11), false);
        ModelSender sender = new ModelSender(simulator::answer, clock);
        PacerProperties properties = TestProperties.bandwidth("http://127.0.0.1:9", 600).account("tw", new ProviderProperties("twilio",
                "http://127.0.0.1:9", "acct", "app", null, null, 2 * trueRate, 10, 8, ProviderProperties.Layer.none(),
                ProviderProperties.Layer.none(), "user", null, null, null, 0, "AC0123", "token", null, 0, null, null, "America/Los_Angeles", 0)).build();
        sender.providers = DeliveryFixture.on(clock).pacer(pacer(clock)).properties(properties).sender(sender).register().providers();
        int messages = 150;
        int segments = 0;
        for (int i = 0; i < messages; i++) {
            String text = "Reminder " + i + ": " + "x".repeat(i % 2 == 0 ? 100 : 200);
            segments += Segments.count(text).segments();
            engine.getRuntimeService().startProcessInstanceByKey("delivery", "tw/" + i, message("tw", i, text));
        }
        engine.jobs(null).runAll(40 * messages);

        TwilioSimulator.Stats s = simulator.stats();
        assertThat(accepted()).as("every message accepted, none lost").isEqualTo(messages);
        assertThat(s.accepted()).as("accepted once each").isEqualTo(messages);
        assertThat(s.duplicates()).isZero();
        assertThat(s.queueFull()).as("the sender's queue did fill: the rate configured is twice its true one").isPositive();
        double minimum = segments * 60.0 / trueRate;
        List<Instant> times = simulator.acceptedTimes();
        double makespan = Duration.between(T0, times.get(times.size() - 1)).toMillis() / 1000.0;
        System.out.printf("twilio 21611: makespan %.1f s, minimum %.1f s, ratio %.3f, 21611s %d (%.1f per 1,000), requests %d, "
                + "inside a full queue %d%n", makespan, minimum, makespan / minimum, s.queueFull(), 1000.0 * s.queueFull() / s.requests(),
                s.requests(), s.insideFullQueue());
        assertThat(makespan / minimum).as("makespan over the sender's true minimum").isLessThanOrEqualTo(1.25);
        assertThat(1000.0 * s.queueFull() / s.requests()).as("21611s per 1,000 sends").isLessThanOrEqualTo(100);
    }

    @Test
    void shouldHoldGenesysCloudsPerClientLimitFromItsHeadersThroughAnExpiredToken() throws Exception {
        GenesysSimulator.Stats s = genesys(true, 1.05, 1);
        assertThat(s.rateLimited()).as("the inin-ratelimit headers slow Pacer down before a 429").isZero();
    }

    @Test
    void shouldHoldGenesysCloudsPerClientLimitThroughDisagreeingWaitsWithoutHeaders() throws Exception {
        GenesysSimulator.Stats s = genesys(false, 1.15, 25);
        assertThat(s.rateLimited()).as("without headers only 429s tell the limit").isPositive();
    }

    /**
     * A campaign through a Genesys Cloud client whose true limit is half the one configured, its 429s
     * telling two waits that disagree, every token expiring halfway.
     *
     * @param headers whether its answers carry the inin-ratelimit headers (without them only 429s tell)
     */
    private GenesysSimulator.Stats genesys(boolean headers, double ratio, double per1000) throws Exception {
        engine.clockAt(T0);
        CamundaClock clock = new CamundaClock();
        int trueRate = 120;
        int messages = 200;
        GenesysSimulator simulator = new GenesysSimulator(new GenesysSimulator.Settings("gc-client", "gc-secret",
                simulator(trueRate, 60, true)), clock, new SplittableRandom(13), false);
        GenesysTokens tokens = new GenesysTokens(account -> {
            Reply r = simulator.answer(new Request("POST", "/oauth/token", "Basic " + java.util.Base64.getEncoder().encodeToString(
                    "gc-client:gc-secret".getBytes(StandardCharsets.UTF_8)), "application/x-www-form-urlencoded",
                    "grant_type=client_credentials".getBytes(StandardCharsets.UTF_8)));
            return GenesysTokens.read(r.status(), r.body(), clock.instant());
        }, clock);
        int[] sent = {0};
        ModelSender sender = new ModelSender(request -> {
            if (++sent[0] == messages / 2) {
                simulator.expireTokens();
            }
            Reply reply = simulator.answer(request);
            if (headers) {
                return reply;
            }
            Map<String, String> without = new HashMap<>(reply.headers());
            without.keySet().removeIf(h -> h.toLowerCase(java.util.Locale.ROOT).startsWith("inin-ratelimit"));
            return new Reply(reply.status(), without, reply.body(), reply.toldUntil());
        }, clock);
        PacerProperties properties = TestProperties.bandwidth("http://127.0.0.1:9", 600).account("gc", new ProviderProperties("genesys",
                "http://127.0.0.1:9", "acct", "app", null, null, 60, 4, 4, ProviderProperties.Layer.none(),
                ProviderProperties.Layer.none(), "account", "http://127.0.0.1:9", "gc-client", "gc-secret", 2 * trueRate, null, null, null, 0, null, null, "America/Los_Angeles", 0))
                .build();
        PacerProperties.Retry r = properties.retry();
        sender.providers = DeliveryFixture.on(clock).pacer(pacer(clock)).properties(properties).sender(sender)
                .apis(List.of(new dev.pacer.provider.bandwidth.BandwidthApi(new WaitBounds(r.minWait(), r.maxWait()), FALLBACK),
                        new GenesysApi(new WaitBounds(r.minWait(), r.maxWait()), FALLBACK, tokens)))
                .register().providers();
        for (int i = 0; i < messages; i++) {
            engine.getRuntimeService().startProcessInstanceByKey("delivery", "gc/" + i, message("gc", i, "Your code is " + i));
        }
        engine.jobs(null).runAll(40 * messages);

        GenesysSimulator.Stats s = simulator.stats();
        assertThat(accepted()).as("every message accepted, none lost").isEqualTo(messages);
        assertThat(s.accepted()).as("accepted once each").isEqualTo(messages);
        assertThat(s.duplicates()).isZero();
        assertThat(s.insideToldWait()).as("requests inside a told wait, whichever of the two it told").isZero();
        assertThat(s.lockouts()).isZero();
        assertThat(s.expiredTokenUsed()).as("the expired token was refused once, then renewed").isEqualTo(1);
        assertThat(s.tokensIssued()).as("one token, and one after it expired: never one per message").isEqualTo(2);
        List<Instant> times = simulator.acceptedTimes();
        double makespan = Duration.between(T0, times.get(times.size() - 1)).toMillis() / 1000.0;
        double minimum = messages * 60.0 / trueRate;
        System.out.printf("genesys per-client limit, headers %s: makespan %.1f s, minimum %.1f s, ratio %.3f, 429s %d (%.1f per 1,000), "
                + "requests %d, tokens %d%n", headers, makespan, minimum, makespan / minimum, s.rateLimited(), 1000.0 * s.rateLimited() / s.requests(),
                s.requests(), s.tokensIssued());
        assertThat(makespan / minimum).as("makespan over the client's true minimum").isLessThanOrEqualTo(ratio);
        assertThat(1000.0 * s.rateLimited() / s.requests()).as("429s per 1,000 sends").isLessThanOrEqualTo(per1000);
        return s;
    }
}
