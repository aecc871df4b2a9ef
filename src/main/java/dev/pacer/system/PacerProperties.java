package dev.pacer.system;

import dev.pacer.provider.ProviderProperties;
import dev.pacer.provider.SimulatorProperties;
import dev.pacer.retry.BackoffPolicy;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Pacer's settings ({@code pacer.*}): providers and their limits, retry policy, dispatch window,
 * the built-in simulator, and the folder campaigns started over the process API may read their
 * recipients from ({@code audience-dir}, none by default), and the address providers reach this
 * server at ({@code public-url}, for status callbacks; none by default). Credentials come from the environment (for example
 * {@code PACER_PROVIDERS_BANDWIDTH_PASSWORD}) and never reach a process variable.
 */
@Validated
@ConfigurationProperties("pacer")
public record PacerProperties(
        @Valid Map<String, ProviderProperties> providers,
        @Valid @NotNull @DefaultValue Retry retry,
        @Valid @NotNull @DefaultValue Adaptive adaptive,
        @Valid @NotNull @DefaultValue Dispatch dispatch,
        @Valid @NotNull @DefaultValue SimulatorProperties simulator,
        @Valid @NotNull @DefaultValue Suppression suppression,
        @Valid @NotNull @DefaultValue Circuit circuit,
        @Valid @NotNull @DefaultValue History history,
        @Valid @NotNull @DefaultValue Doubt doubt,
        @Valid @NotNull @DefaultValue Cluster cluster,
        Path audienceDir,
        String publicUrl,
        @Valid @NotNull @DefaultValue Webhook webhook,
        @Valid @NotNull @DefaultValue Receipts receipts) {

    public PacerProperties {
        providers = providers == null ? Map.of() : Map.copyOf(providers);
    }

    /**
     * Retries, and the bounds any provider-told wait is clamped to. Which policy applies to a
     * transient failure is the response rules' choice ({@code bpmn/response-rules.dmn}).
     *
     * @param policies          named backoff policies: each replaces the row of the same name in the
     *                          {@code retry-policies} table ({@code bpmn/response-rules.dmn}) or adds one
     * @param fallbackWait      the wait after a 429 that names none
     * @param rateLimitBudget   the most a message spends waiting on 429s in all before it is
     *                          dropped (its deadline, when sooner, wins)
     */
    public record Retry(Map<String, @Valid Policy> policies,
                        @NotNull @DefaultValue("PT1S") Duration fallbackWait,
                        @NotNull @DefaultValue("PT0S") Duration minWait,
                        @NotNull @DefaultValue("PT15M") Duration maxWait,
                        @NotNull @DefaultValue("PT0.25S") Duration pauseJitter,
                        @NotNull @DefaultValue("PT30M") Duration rateLimitBudget) {

        public Retry {
            policies = policies == null ? Map.of() : Map.copyOf(policies);
        }

        /** The policies the settings give, which go over the table's. */
        public Map<String, BackoffPolicy> backoffs() {
            Map<String, BackoffPolicy> all = new LinkedHashMap<>();
            policies.forEach((name, p) -> all.put(name, p.toBackoff()));
            return Map.copyOf(all);
        }
    }

    /**
     * Exponential backoff: {@code initial}, then times {@code multiplier} per failure (the
     * "coefficient"), capped at {@code max}, at most {@code maxAttempts} tries in all.
     */
    public record Policy(@NotNull @DefaultValue("PT1S") Duration initial,
                         @DecimalMin("1.0") @DefaultValue("2.0") double multiplier,
                         @NotNull @DefaultValue("PT60S") Duration max,
                         @Min(1) @DefaultValue("5") int maxAttempts,
                         @NotNull @DefaultValue("FULL") BackoffPolicy.Jitter jitter) {

        public BackoffPolicy toBackoff() {
            return new BackoffPolicy(initial, multiplier, max, maxAttempts, 0.5, jitter);
        }
    }

    /**
     * Adaptive pacing: how a scope's rate falls on a 429 and climbs back.
     *
     * @param decrease     the factor the rate is multiplied by on a 429 whose response states no rate
     * @param increaseStep the share of the ceiling added after each quiet period
     * @param quietPeriod  how long a busy scope must go without a 429 before it climbs
     * @param floor        the lowest share of the ceiling the rate falls to
     */
    public record Adaptive(@DecimalMin("0.05") @DecimalMax("1.0") @DefaultValue("0.7") double decrease,
                           @DecimalMin("0.001") @DecimalMax("1.0") @DefaultValue("0.05") double increaseStep,
                           @NotNull @DefaultValue("PT5S") Duration quietPeriod,
                           @DecimalMin("0.001") @DecimalMax("1.0") @DefaultValue("0.05") double floor) {
    }

    /**
     * How messages are started and paced.
     *
     * @param window      the most message instances of one campaign alive at once
     * @param batch       the most message instances started in one transaction
     * @param interval    how often a campaign tops its window up
     * @param bulkHorizon how far ahead a bulk message may hold a send slot; slots beyond stay free
     *                    for real-time messages
     * @param inFlightWait how long a send waits for an in-flight place of its scope before it gives
     *                    its slot back and asks for a new one
     * @param bulkShare   the share of a busy scope's sends bulk keeps however much real-time
     *                    traffic there is
     * @param maxLifetime how long a message with no deadline of its own may wait before it expires
     * @param controlTtl  how long a node trusts what it last read of a campaign's state (paused,
     *                    cancelled) set on another node
     * @param lateSlot    how late after its slot a send may still go; a message woken later (the
     *                    database was away, the node restarted) asks for a slot again, so the sends
     *                    held up do not all go at once
     * @param batchSend   whether a campaign's messages are sent in batches by its dispatch step (only
     *                    those that must wait become delivery instances), or each by an instance of its own
     * @param batchHorizon how far ahead a batch takes send slots: the longest one dispatch step sends
     * @param batchThreads the threads a node's batches send their requests from, at most as many in flight
     * @param realtimeInline how soon a real-time message's slot must come for it to wait in its own
     *                    thread (for a message on its own, the caller's) rather than on a timer job
     */
    public record Dispatch(@Min(1) @DefaultValue("2000") int window,
                           @Min(1) @DefaultValue("500") int batch,
                           @NotNull @DefaultValue("PT0.5S") Duration interval,
                           @NotNull @DefaultValue("PT2S") Duration bulkHorizon,
                           @NotNull @DefaultValue("PT2S") Duration inFlightWait,
                           @DecimalMin("0.0") @DecimalMax("0.99") @DefaultValue("0.1") double bulkShare,
                           @NotNull @DefaultValue("P30D") Duration maxLifetime,
                           @NotNull @DefaultValue("PT1S") Duration controlTtl,
                           @NotNull @DefaultValue("PT5S") Duration lateSlot,
                           @NotNull @DefaultValue("PT0.25S") Duration realtimeInline,
                           @DefaultValue("true") boolean batchSend,
                           @NotNull @DefaultValue("PT1S") Duration batchHorizon,
                           @Min(1) @DefaultValue("64") int batchThreads) {
    }

    /**
     * When a provider counts as down, and how it is probed: after {@code threshold} sends in a row
     * with no answer or a server error, the account is held and probed one send at a time, first
     * after {@code firstProbe}, then at doubling intervals up to {@code maxProbe}. Its messages wait
     * (up to their deadline) without spending attempts.
     */
    public record Circuit(@Min(1) @DefaultValue("5") int threshold,
                          @NotNull @DefaultValue("PT2S") Duration firstProbe,
                          @NotNull @DefaultValue("PT60S") Duration maxProbe) {
    }

    /**
     * What the history keeps of a message beyond the audit.
     *
     * @param keepRealtimeText keep real-time messages' texts (one-time codes); by default a message's
     *                         text is replaced by its length when it ends
     */
    public record History(@DefaultValue("false") boolean keepRealtimeText) {
    }

    /**
     * Sends whose answer was lost (a timeout after the request was written, a connection closed
     * without a reply, a 2xx cut short, a node that stopped mid-send): never sent again blindly.
     *
     * @param settleAfter how long after the send the provider's message list is first searched (it
     *                    may lag behind what it took), and then between searches, doubled each time
     * @param lookups     how many searches before the message's {@code onDoubt} policy decides
     * @param onDoubt     the policy of a message that names none: {@code skip} (the default: a text
     *                    sent twice cannot be taken back) or {@code resend}
     */
    public record Doubt(@NotNull @DefaultValue("PT30S") Duration settleAfter,
                        @Min(1) @DefaultValue("3") int lookups,
                        @NotNull @DefaultValue("skip") dev.pacer.flow.OnDoubt onDoubt) {
    }

    /**
     * Nodes on one database share every scope's budget ({@link dev.pacer.cluster.ClusterNode}).
     *
     * @param heartbeat   how often a node says it is alive and counts the others
     * @param nodeTimeout how long a node may be silent before the others take its share (its jobs
     *                    are theirs once their lock runs out: {@code camunda.bpm.job-execution.lock-time-in-millis})
     * @param poll        how often a node reads the 429s the others got
     */
    public record Cluster(@NotNull @DefaultValue("PT1S") Duration heartbeat,
                          @NotNull @DefaultValue("PT10S") Duration nodeTimeout,
                          @NotNull @DefaultValue("PT0.05S") Duration poll) {
    }

    /**
     * Numbers never sent to: the table {@code PACER_SUPPRESSION}, into which {@code file} (if set)
     * is merged at start-up.
     */
    public record Suppression(String file) {
    }

    /**
     * The downstream webhook campaign events are posted to ({@code pacer.webhook.*}); off without a {@code url}.
     *
     * @param authorization  the {@code Authorization} header to send (a secret: from the environment,
     *                       {@code PACER_WEBHOOK_AUTHORIZATION}), or none
     * @param callsPerMinute the webhook's own limit, which Pacer paces its calls to
     * @param maxAttempts    tries of one event (server errors, no answer) before it is dropped
     * @param capacity       events queued at most; beyond it the oldest is dropped
     */
    public record Webhook(String url, String authorization,
                          @Min(1) @DefaultValue("50") int callsPerMinute,
                          @Min(1) @DefaultValue("5") int maxAttempts,
                          @Min(1) @DefaultValue("1000") int capacity) {

        @Override
        public String toString() {
            return "Webhook[url=" + url + ", callsPerMinute=" + callsPerMinute + ", maxAttempts=" + maxAttempts + ", capacity=" + capacity + "]";
        }
    }

    /**
     * Delivery receipts and replies ({@code pacer.receipts.*}), taken at {@code /callbacks/NAME}.
     *
     * @param enabled            whether a message the provider took waits for its receipt (DELIVERED or FAILED), up to
     *                           {@code timeout}; off, it ends ACCEPTED as soon as the provider takes it
     * @param timeout            how long it waits before it stays ACCEPTED with "no receipt" (Bandwidth's own limit: 2 hours)
     * @param filteredPauseRatio the share of a campaign's receipts filtered as spam that pauses it
     * @param filteredMinimum    receipts a campaign must have before that share counts
     * @param keepUnmatched      how long a receipt for no known message is kept (its send's answer may not be recorded yet)
     * @param volumeWait         how long an account holds after a receipt tells of a carrier's volume limit or queue
     * @param helpText           what a HELP reply is answered with
     */
    public record Receipts(@DefaultValue("false") boolean enabled,
                           @NotNull @DefaultValue("PT2H") Duration timeout,
                           @DecimalMin("0.0") @DecimalMax("1.0") @DefaultValue("0.02") double filteredPauseRatio,
                           @Min(1) @DefaultValue("100") int filteredMinimum,
                           @NotNull @DefaultValue("PT10M") Duration keepUnmatched,
                           @NotNull @DefaultValue("PT60S") Duration volumeWait,
                           @NotNull @DefaultValue("Reply STOP to opt out, START to opt back in. Message and data rates may apply.")
                           String helpText) {
    }
}
