package dev.pacer.delivery;

import dev.pacer.testkit.PacerEngine;

import dev.pacer.throttle.Adaptation;
import dev.pacer.throttle.PacerSettings;

import dev.pacer.provider.Providers;
import dev.pacer.system.CamundaClock;
import dev.pacer.system.PacerProperties;
import dev.pacer.testkit.DeliveryFixture;
import dev.pacer.testkit.TestProperties;

import dev.pacer.provider.bandwidth.BandwidthSimulator;
import dev.pacer.provider.MessageSender;
import dev.pacer.provider.ProviderAccount;
import dev.pacer.provider.ProviderApi;
import dev.pacer.provider.ProviderRequest;
import dev.pacer.provider.SimulatorServer.Reply;
import dev.pacer.provider.SimulatorServer.Request;
import dev.pacer.provider.OutgoingMessage;
import dev.pacer.provider.SendResult;
import dev.pacer.provider.SimulatorScenario;
import dev.pacer.throttle.Pacer;
import dev.pacer.sms.Segments;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pacer against each hostile provider the simulator can play: the real delivery flow, throttle and
 * send steps and response rules, the simulator's model behind the Bandwidth response reader, and a
 * perfectly punctual job executor on the engine clock (every job runs at its due time, one at a
 * time). Whatever the provider does, nothing is sent inside a wait it told, nothing is locked out,
 * lost or sent twice, and the campaign ends close to the fastest the provider's true limit allows.
 */
@Deployment(resources = {"campaign.bpmn", "delivery.bpmn", "response-rules.dmn"})
class HostileProviderTest {

    @RegisterExtension
    static PacerEngine engine = new PacerEngine();

    private static final Instant T0 = Instant.parse("2030-01-01T09:00:00Z");
    private static final int MESSAGES = 240;
    /** The provider's true rate: 10 segments a second. */
    private static final int TRUE_RATE = 600;

    /** The most a scenario's makespan may exceed the theoretical minimum, and its most 429s per 1,000 sends. */
    private static final Map<SimulatorScenario, double[]> BOUNDS = Map.of(
            SimulatorScenario.KNOWN_LIMIT, new double[]{1.02, 1},
            SimulatorScenario.LIMIT_UNKNOWN, new double[]{1.10, 20},
            SimulatorScenario.HALF_RATE_STATED, new double[]{1.05, 20},
            SimulatorScenario.HALF_RATE_SILENT, new double[]{1.10, 20},
            SimulatorScenario.RETRY_AFTER_UNDERSTATED, new double[]{1.10, 25},
            SimulatorScenario.RETRY_AFTER_OVERSTATED, new double[]{1.10, 20},
            SimulatorScenario.HTTP_DATE_SKEWED_AHEAD, new double[]{1.10, 20},
            SimulatorScenario.HTTP_DATE_SKEWED_BEHIND, new double[]{1.10, 20},
            SimulatorScenario.USER_AND_ACCOUNT_LIMITS, new double[]{1.10, 1},
            SimulatorScenario.SERVER_ERRORS, new double[]{1.10, 1});

    private RuntimeService runtime;
    private ManagementService management;

    @ParameterizedTest
    @EnumSource(SimulatorScenario.class)
    void shouldHoldTheFastestSafePace(SimulatorScenario scenario) throws IOException {
        run(scenario, false);
    }

    /** The same scenarios for one campaign of the same messages, sent in batches by its dispatch step. */
    @ParameterizedTest
    @EnumSource(SimulatorScenario.class)
    void shouldHoldTheFastestSafePaceForACampaignSentInBatches(SimulatorScenario scenario) throws IOException {
        run(scenario, true);
    }

    private void run(SimulatorScenario scenario, boolean batches) throws IOException {
        String only = System.getProperty("pacer.scenario");
        Assumptions.assumeTrue(only == null || only.equals(scenario.name()), "runs only " + only);
        engine.clockAt(T0);
        CamundaClock clock = new CamundaClock();
        Pacer pacer = new Pacer(clock, new PacerSettings(Duration.ofSeconds(2), Duration.ofMillis(100),
                new Adaptation(0.7, 0.05, Duration.ofSeconds(5), 0.05)), new SplittableRandom(7));
        PacerProperties properties = TestProperties.bandwidth("http://127.0.0.1:9", scenario.configuredRate(TRUE_RATE)).burst(20).build();
        BandwidthSimulator simulator = new BandwidthSimulator(new BandwidthSimulator.Settings("acct", "user", "secret",
                scenario.settings(TRUE_RATE, 60)), clock, new SplittableRandom(11), false);
        ModelSender sender = new ModelSender(simulator, clock);
        DeliveryFixture fixture = DeliveryFixture.on(clock).pacer(pacer).properties(properties).sender(sender);
        sender.providers = (batches ? fixture.batchSend() : fixture).register().providers();
        runtime = engine.getRuntimeService();
        management = engine.getManagementService();

        int segments = 0;
        StringBuilder recipients = new StringBuilder();
        for (int i = 0; i < MESSAGES; i++) {
            String pad = "x".repeat(List.of(100, 200, 400).get(i % 3));
            String text = "Reminder " + i + ": " + pad;
            segments += Segments.count(text).segments();
            if (batches) {
                recipients.append("+1202555%04d,%d,%s%n".formatted(i, i, pad));
            } else {
                start(i, text);
            }
        }
        String campaignId = null;
        if (batches) {
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("hostile-campaign");
            java.nio.file.Files.writeString(dir.resolve("recipients.csv"), "to,n,pad\n" + recipients);
            campaignId = runtime.startProcessInstanceByKey("campaign", Map.of("campaign", """
                    {"name": "hostile", "provider": "bandwidth", "from": "+12025550100", "text": "Reminder {{n}}: {{pad}}",
                     "recipientsFile": "recipients.csv"}""", "campaignDir", dir.toString())).getId();
        }
        runAllJobs();

        BandwidthSimulator.Stats s = simulator.stats();
        long accepted = batches ? DeliveryFixture.reports(properties).read(campaignId).outcomes().getOrDefault("ACCEPTED", 0L)
                : engine.getHistoryService().createHistoricVariableInstanceQuery().variableName("outcome")
                .variableValueEquals("outcome", "ACCEPTED").count();
        assertThat(accepted).as("every message accepted, none lost").isEqualTo(MESSAGES);
        assertThat(s.accepted()).as("accepted once each").isEqualTo(MESSAGES);
        assertThat(s.duplicates()).isZero();
        assertThat(s.insideToldWait()).as("requests inside a told wait").isZero();
        assertThat(s.lockouts()).isZero();

        int userLimit = scenario.userLimit(TRUE_RATE);
        double minimum = Math.max(segments * 60.0 / TRUE_RATE, userLimit == 0 ? 0 : MESSAGES * 10.0 / userLimit);
        // until the provider has sent the last segment: a queue still full at the last 202 is not done
        double makespan = Duration.between(T0, s.drainedBy()).toMillis() / 1000.0;
        double per1000 = 1000.0 * s.rateLimited() / s.requests();
        System.out.printf("%-26s %-9s makespan %6.1f s  minimum %6.1f s  ratio %.3f  429s %3d (%.1f per 1,000)  requests %d%n",
                scenario, batches ? "batches" : "instances", makespan, minimum, makespan / minimum, s.rateLimited(), per1000, s.requests());
        assertThat(makespan / minimum).as("makespan over the theoretical minimum").isLessThanOrEqualTo(BOUNDS.get(scenario)[0]);
        assertThat(per1000).as("429s per 1,000 sends").isLessThanOrEqualTo(BOUNDS.get(scenario)[1]);
    }

    private void start(int row, String text) {
        runtime.startProcessInstanceByKey("delivery", "c1/" + row,
                DeliveryFixture.message("+1202555" + String.format("%04d", row), text, Segments.count(text).segments(), null, "PENDING"));
    }

    /** A punctual job executor: always the job due first, at its due time. */
    private void runAllJobs() {
        engine.jobs(null).runAll(40 * MESSAGES);
    }

    /** The Bandwidth route without HTTP: the request Pacer's Bandwidth API builds, the simulator's answer, the API's reading of it. */
    static final class ModelSender implements MessageSender {
        private final BandwidthSimulator simulator;
        private final CamundaClock clock;
        private Providers providers;

        ModelSender(BandwidthSimulator simulator, CamundaClock clock) {
            this.simulator = simulator;
            this.clock = clock;
        }

        @Override
        public SendResult send(OutgoingMessage m) {
            ProviderAccount account = providers.account(m.provider());
            ProviderApi api = providers.api(account);
            ProviderRequest request;
            try {
                request = api.request(m, account);
            } catch (dev.pacer.provider.CredentialUnavailableException e) {
                throw new IllegalStateException("Bandwidth's credentials are its account's own", e);
            }
            Reply reply = simulator.answer(new Request("POST", request.path(), request.headers().get("Authorization"),
                    request.contentType(), request.body().getBytes(StandardCharsets.UTF_8)));
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            headers.putAll(reply.headers());
            return api.read(reply.status(), headers::get, reply.body(), m, clock.instant());
        }
    }
}
