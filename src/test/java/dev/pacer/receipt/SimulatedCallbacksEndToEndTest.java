package dev.pacer.receipt;

import dev.pacer.flow.Processes;
import dev.pacer.provider.Providers;
import dev.pacer.provider.SimulatorProperties;
import dev.pacer.provider.twilio.TwilioSimulator;
import dev.pacer.suppression.SuppressionList;
import dev.pacer.system.PacerApplication;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code serve} with the built-in simulators posting receipts and replies: a Twilio account's
 * messages end DELIVERED or FAILED by the status callbacks its simulator posts, signed with
 * {@code X-Twilio-Signature} over the public URL; a receipt posted twice changes nothing; a
 * recipient who answers STOP (through Twilio or Bandwidth) is on the suppression list, and the next
 * message to the number is not sent.
 */
@SpringBootTest(classes = PacerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:simulated-callbacks;DB_CLOSE_DELAY=-1",
        "pacer.simulator.enabled=true",
        "pacer.public-url=https://pacer.example.com/",
        "pacer.receipts.enabled=true",
        "pacer.simulator.receipts.enabled=true",
        "pacer.simulator.receipts.delay=PT0.5S",
        "pacer.simulator.replies.stop-numbers=" + SimulatedCallbacksEndToEndTest.STOPS_TWILIO + "," + SimulatedCallbacksEndToEndTest.STOPS_BANDWIDTH,
        "pacer.simulator.replies.delay=PT0.8S",
        "pacer.providers.bandwidth.callback-username=bw-callbacks",
        "pacer.providers.bandwidth.callback-password=bw-callback-secret",
        "pacer.providers.tw.type=twilio",
        "pacer.providers.tw.account-sid=AC0123456789abcdef",
        "pacer.providers.tw.auth-token=tw-token",
        "PACER_ADMIN_USER=ops",
        "PACER_ADMIN_PASSWORD=s3cret-for-simulated-callbacks"})
class SimulatedCallbacksEndToEndTest {

    static final String STOPS_TWILIO = "+12025550177";
    static final String STOPS_BANDWIDTH = "+12025550178";
    private static final String FROM = "+12025550100";
    private static final Duration PATIENCE = Duration.ofSeconds(15);
    private static final SimulatorProperties.Receipts CONFIGURED = new SimulatorProperties.Receipts(true, Duration.ofMillis(500), 0, 0, 0);

    @Autowired
    RuntimeService runtime;
    @Autowired
    HistoryService history;
    @Autowired
    SuppressionList suppression;
    @Autowired
    Receipts receipts;
    @Autowired
    Providers providers;

    private TwilioSimulator twilio() {
        return (TwilioSimulator) providers.simulator("tw").orElseThrow();
    }

    @AfterEach
    void configuredReceipts() {
        twilio().receipts(CONFIGURED);
    }

    private ProcessInstance send(String provider, String key, String to) {
        return runtime.startProcessInstanceByKey(Processes.DELIVERY, key, Map.of("provider", provider, "from", FROM, "to", to, "text", "hello"));
    }

    /** Waits, at most {@link #PATIENCE}, for {@code done}, checking every 50 ms. */
    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        Instant until = Instant.now().plus(PATIENCE);
        while (!done.getAsBoolean()) {
            if (Instant.now().isAfter(until)) {
                throw new AssertionError(what + " within " + PATIENCE.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
    }

    private Object ended(ProcessInstance pi, String variable) throws InterruptedException {
        await("the message to end", () -> runtime.createProcessInstanceQuery().processInstanceId(pi.getId()).count() == 0);
        return history.createHistoricVariableInstanceQuery().processInstanceId(pi.getId()).variableName(variable).singleResult().getValue();
    }

    @Test
    void shouldEndTwilioMessagesDeliveredOrFailedByTheSimulatorsSignedStatusCallbacks() throws Exception {
        long posted = twilio().callbacksPosted();
        twilio().receipts(new SimulatorProperties.Receipts(true, Duration.ofMillis(500), 1.0, 0, 0));
        long duplicates = receipts.duplicates();
        ProcessInstance delivered = send("tw", "tw-e2e-delivered", "+12025550161");
        assertThat(ended(delivered, "outcome")).isEqualTo("DELIVERED");
        await("the receipt posted again", () -> receipts.duplicates() > duplicates);
        assertThat(ended(delivered, "outcome")).as("the duplicate changed nothing").isEqualTo("DELIVERED");

        twilio().receipts(new SimulatorProperties.Receipts(true, Duration.ofMillis(500), 0, 1.0, 0));
        ProcessInstance filtered = send("tw", "tw-e2e-filtered", "+12025550162");
        assertThat(ended(filtered, "outcome")).isEqualTo("FAILED");
        assertThat((String) ended(filtered, "reason")).contains("30007");
        await("the five posts counted", () -> twilio().callbacksPosted() - posted >= 5);
        assertThat(twilio().callbacksPosted() - posted).as("sent, delivered twice; sent, undelivered").isEqualTo(5);
    }

    @Test
    void shouldSuppressANumberWhoseRecipientAnswersStopToATwilioMessage() throws Exception {
        assertThat(ended(send("tw", "tw-e2e-stop-1", STOPS_TWILIO), "outcome")).isEqualTo("DELIVERED");
        await("the STOP to be honoured", () -> suppression.contains(STOPS_TWILIO));
        assertThat(suppression.changes(STOPS_TWILIO)).singleElement().satisfies(c -> assertThat(c.by()).isEqualTo("tw"));
        assertThat(ended(send("tw", "tw-e2e-stop-2", STOPS_TWILIO), "outcome")).as("not sent again").isEqualTo("SUPPRESSED");
    }

    @Test
    void shouldSuppressANumberWhoseRecipientAnswersStopToABandwidthMessage() throws Exception {
        assertThat(ended(send("bandwidth", "bw-e2e-stop-1", STOPS_BANDWIDTH), "outcome")).isEqualTo("DELIVERED");
        await("the STOP to be honoured", () -> suppression.contains(STOPS_BANDWIDTH));
        assertThat(suppression.changes(STOPS_BANDWIDTH)).singleElement().satisfies(c -> assertThat(c.by()).isEqualTo("bandwidth"));
        assertThat(ended(send("bandwidth", "bw-e2e-stop-2", STOPS_BANDWIDTH), "outcome")).as("not sent again").isEqualTo("SUPPRESSED");
    }
}
