package dev.pacer.metrics;

import dev.pacer.flow.Doubt;
import dev.pacer.flow.Outcome;
import dev.pacer.flow.Processes;
import dev.pacer.flow.Wait;
import dev.pacer.throttle.Pacer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * Pacer's live metrics in Micrometer (scraped at {@code /actuator/prometheus} when {@code pacer serve}
 * runs), and the same numbers read back for the progress display of {@code pacer run}:
 * <ul>
 * <li>{@code pacer_messages_total{outcome}}: messages that reached an outcome on this node;</li>
 * <li>{@code pacer_messages_dispatched_total}, {@code pacer_send_attempts_total},
 *     {@code pacer_provider_rate_limited_total} (429s), {@code pacer_provider_transient_failures_total},
 *     {@code pacer_segments_accepted_total}, {@code pacer_sends_in_doubt_total} (answers lost), {@code pacer_messages_failed_over_total}, {@code pacer_receipts_total{class}} and
 *     {@code pacer_sends_settled_total{how}} (how each was settled: {@code sent}, {@code not_sent},
 *     {@code resent}, {@code skipped}, {@code unsettled});</li>
 * <li>{@code pacer_scope_pace_segments_per_minute{scope}} (what the scope is held to now),
 *     {@code pacer_scope_ceiling_segments_per_minute{scope}} (the most it may climb back to: the
 *     configured limit, or a lower rate the provider stated), {@code pacer_scope_limit_segments_per_minute{scope}},
 *     {@code pacer_scope_in_flight{scope}} (requests on their way);</li>
 * <li>{@code pacer_messages_waiting{reason}}: messages waiting on the pace ({@code throttle}), a
 *     Retry-After ({@code retry_after}), a back-off, a send window, a paused campaign, async
 *     steps waiting for an executor thread ({@code queued}), and messages stopped on an incident (a
 *     job out of retries, {@code incident}); read from the engine's job and event
 *     tables, so the count is the cluster's, not one node's.</li>
 * </ul>
 */
public class PacerMetrics {

    /** How a campaign's own cap is named among the pacer's scopes, before its instance id. */
    private static final String CAMPAIGN_SCOPE = "campaign:";

    private final MeterRegistry registry;
    private final Pacer pacer;
    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final Duration refresh;
    private final Set<String> scopes = ConcurrentHashMap.newKeySet();
    private volatile Map<String, Long> waiting = Map.of();
    private volatile Instant waitingReadAt = Instant.MIN;

    /**
     * @param receipts whether messages wait for receipts ({@code pacer.receipts.enabled}): without, the
     *                 outcomes only receipts give ({@code delivered}, {@code failed}) and the receipt
     *                 counters could never move, and are not exported
     */
    public PacerMetrics(MeterRegistry registry, DeliveryStats stats, Pacer pacer, JdbcTemplate jdbc, Clock clock, Duration refresh,
                        boolean receipts) {
        this.registry = registry;
        this.pacer = pacer;
        this.jdbc = jdbc;
        this.clock = clock;
        this.refresh = refresh;
        for (Outcome outcome : Outcome.values()) {
            if (outcome != Outcome.PENDING && (receipts || outcome != Outcome.DELIVERED && outcome != Outcome.FAILED)) {
                FunctionCounter.builder("pacer.messages", stats, s -> s.count(outcome))
                        .description("messages that reached an outcome on this node").tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                        .register(registry);
            }
        }
        counter("pacer.messages.dispatched", stats, DeliveryStats::dispatched, "campaign messages started on this node");
        counter("pacer.send.attempts", stats, DeliveryStats::attempts, "requests sent to providers");
        counter("pacer.provider.rate.limited", stats, DeliveryStats::rateLimitedCount, "429 responses");
        counter("pacer.provider.transient.failures", stats, DeliveryStats::transientFailures, "5xx, timeouts and refused connections");
        counter("pacer.segments.accepted", stats, DeliveryStats::acceptedSegments, "segments the providers took");
        counter("pacer.sends.in.doubt", stats, DeliveryStats::inDoubtCount, "sends whose answer was lost, settled by asking the provider");
        counter("pacer.messages.failed.over", stats, DeliveryStats::failedOverCount,
                "messages their provider certainly did not take, sent on through the campaign's fallback account");
        for (String how : receipts ? List.of("delivered", "failed", "daily_cap", "volume", "filtered", "opted_out", "none") : List.<String>of()) {
            FunctionCounter.builder("pacer.receipts", stats, s -> s.receiptCounts().getOrDefault(how, 0L))
                    .description("receipts recorded, by what they said (none: no receipt in time)").tag("class", how).register(registry);
        }
        for (Doubt how : Doubt.values()) {
            FunctionCounter.builder("pacer.sends.settled", stats, s -> s.settledCount(how))
                    .description("sends in doubt settled on this node, by how").tag("how", how.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
        for (Wait w : Wait.values()) {
            waitingGauge(w.metricReason());
        }
        waitingGauge("queued");
        waitingGauge("incident");
        scopes();
    }

    private void counter(String name, DeliveryStats stats, ToDoubleFunction<DeliveryStats> f, String description) {
        FunctionCounter.builder(name, stats, f).description(description).register(registry);
    }

    private void waitingGauge(String reason) {
        Gauge.builder("pacer.messages.waiting", this, m -> m.waiting().getOrDefault(reason, 0L))
                .description("messages waiting, by what they wait on").tag("reason", reason).register(registry);
    }

    /** Registers the gauges of scopes the pacer has met since the last call. */
    List<String> scopes() {
        for (String scope : pacer.scopes()) {
            if (scopes.add(scope)) {
                // a campaign's own cap (campaign:INSTANCE_ID) is labelled with the campaign's name too
                Tags tags = Tags.of("scope", scope, "campaign", campaignName(scope));
                Gauge.builder("pacer.scope.pace.segments.per.minute", pacer, p -> p.view(scope).rate())
                        .description("the rate the scope is held to now").tags(tags).register(registry);
                Gauge.builder("pacer.scope.ceiling.segments.per.minute", pacer, p -> p.view(scope).ceiling())
                        .description("the most the scope's pace may climb back to: its limit, or a lower rate the provider stated")
                        .tags(tags).register(registry);
                Gauge.builder("pacer.scope.limit.segments.per.minute", pacer, p -> p.view(scope).limit().perMinute())
                        .description("the scope's configured limit").tags(tags).register(registry);
                Gauge.builder("pacer.scope.in.flight", pacer, p -> p.view(scope).inFlight())
                        .description("requests on their way in the scope").tags(tags).register(registry);
            }
        }
        return pacer.scopes();
    }

    /** The name of the campaign whose cap {@code scope} is; empty for a provider's scope. */
    private String campaignName(String scope) {
        if (!scope.startsWith(CAMPAIGN_SCOPE)) {
            return "";
        }
        String id = scope.substring(CAMPAIGN_SCOPE.length());
        return jdbc.query("select BUSINESS_KEY_ from ACT_HI_PROCINST where ID_ = ?", (rs, n) -> rs.getString(1), id).stream()
                .filter(java.util.Objects::nonNull).findFirst().orElse(id);
    }

    /** Waiting messages by reason, read from the engine's tables at most once per refresh period. */
    Map<String, Long> waiting() {
        Instant now = clock.instant();
        if (Duration.between(waitingReadAt, now).compareTo(refresh) < 0) {
            return waiting;
        }
        scopes(); // a scrape reads these gauges: scopes met since (a sender's, a campaign cap) get theirs for the next one
        Map<String, Long> counts = new LinkedHashMap<>();
        Map<String, String> byActivity = new LinkedHashMap<>();
        for (Wait w : Wait.values()) {
            if (w != Wait.PAUSED) { // its job (after the resume) is a step queued, not a wait; paused messages hold no job
                byActivity.put(w.activityId(), w.metricReason());
            }
        }
        // a job's activity is on its job definition
        jdbc.query("select d.ACT_ID_, j.TYPE_, case when j.RETRIES_ > 0 then 0 else 1 end, count(*) from ACT_RU_JOB j "
                + "left join ACT_RU_JOBDEF d on d.ID_ = j.JOB_DEF_ID_ where j.PROCESS_DEF_KEY_ = ? "
                + "group by d.ACT_ID_, j.TYPE_, case when j.RETRIES_ > 0 then 0 else 1 end", rs -> {
            // a job out of retries is an incident: the message waits for an operator, not for its turn
            String reason = rs.getInt(3) == 1 ? "incident" : byActivity.get(rs.getString(1));
            if (reason == null && "message".equals(rs.getString(2))) {
                reason = "queued";
            }
            if (reason != null) {
                counts.merge(reason, rs.getLong(4), Long::sum);
            }
        }, Processes.DELIVERY);
        Long paused = jdbc.queryForObject("select count(*) from ACT_RU_EVENT_SUBSCR where ACTIVITY_ID_ = ?", Long.class,
                Wait.PAUSED.activityId());
        counts.put(Wait.PAUSED.metricReason(), paused == null ? 0 : paused);
        waiting = counts;
        waitingReadAt = now;
        return counts;
    }

    /** The numbers of the progress display, read from the registry. */
    public Snapshot read() {
        List<String> known = scopes();
        Map<Outcome, Long> outcomes = new EnumMap<>(Outcome.class);
        for (Outcome o : Outcome.values()) {
            if (o != Outcome.PENDING) {
                FunctionCounter counter = Search.in(registry).name("pacer.messages").tag("outcome", o.name().toLowerCase(Locale.ROOT))
                        .functionCounter();
                long n = counter == null ? 0 : (long) counter.count();
                if (n > 0) {
                    outcomes.put(o, n);
                }
            }
        }
        Map<String, Long> waits = new LinkedHashMap<>();
        for (var g : Search.in(registry).name("pacer.messages.waiting").gauges()) {
            waits.put(g.getId().getTag("reason"), (long) g.value());
        }
        double inFlight = Search.in(registry).name("pacer.scope.in.flight").gauges().stream().mapToDouble(Gauge::value).max().orElse(0);
        return new Snapshot(count("pacer.messages.dispatched"), count("pacer.send.attempts"), count("pacer.provider.rate.limited"),
                count("pacer.segments.accepted"), outcomes, waits, (long) inFlight, known);
    }

    private long count(String name) {
        return (long) Search.in(registry).name(name).functionCounter().count();
    }

    /** The display's numbers at one moment. */
    public record Snapshot(long dispatched, long attempts, long rateLimited, long acceptedSegments, Map<Outcome, Long> outcomes,
                    Map<String, Long> waiting, long inFlight, List<String> scopes) {
        public long finished() {
            return outcomes.values().stream().mapToLong(Long::longValue).sum();
        }

        public long outcome(Outcome o) {
            return outcomes.getOrDefault(o, 0L);
        }

        public long waiting(String reason) {
            return waiting.getOrDefault(reason, 0L);
        }
    }
}
