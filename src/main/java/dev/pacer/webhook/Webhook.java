package dev.pacer.webhook;

import dev.pacer.audit.CampaignReport;
import dev.pacer.flow.Outcome;
import dev.pacer.metrics.DeliveryListener;
import dev.pacer.throttle.Grant;
import dev.pacer.throttle.Pacer;
import dev.pacer.throttle.Priority;
import dev.pacer.throttle.ScopeLimit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Posts campaign events to a downstream webhook ({@code pacer.webhook.url}: an incident channel, a
 * CRM) through the route {@code webhook} ({@code routes/webhook.camel.yaml}), paced by a scope of
 * its own ({@code webhook}, {@code pacer.webhook.calls-per-minute}) in the same pacer as the sends:
 * a 429 pauses it for the wait it tells and lowers its pace, server errors and no answer are tried
 * again with doubling waits, up to {@code max-attempts}.
 *
 * <p>It never holds up a send: an event is queued in memory in constant time (and folded into one
 * of its kind already waiting), one thread of its own delivers them, and when the queue is full the
 * oldest event is dropped and counted. Events are best-effort: a node that stops loses those
 * still queued.
 */
public class Webhook implements DeliveryListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Webhook.class);
    /** The webhook's scope in the pacer. */
    public static final String SCOPE = "webhook";
    private static final List<String> SCOPES = List.of(SCOPE);
    private static final Duration IDLE = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    /** What the webhook answered: its status (0 for none) and the wait it told, if any. */
    public record Answer(int status, Duration retryAfter, String problem) {
    }

    /**
     * @param callsPerMinute the webhook's own limit
     * @param maxAttempts    tries of one event before it is dropped
     * @param capacity       events queued at most
     */
    public record Settings(int callsPerMinute, int maxAttempts, int capacity) {
    }

    private final Pacer pacer;
    private final Clock clock;
    private final Settings settings;
    private final Function<CampaignEvent, Answer> post;
    private final LinkedList<CampaignEvent> queue = new LinkedList<>();
    private final Map<String, CampaignEvent> waiting = new HashMap<>();
    private CampaignEvent current;
    private Grant slot;
    private long ticket = -1;
    private int attempts;
    private long delivered;
    private long dropped;
    private Thread worker;
    private volatile boolean closed;

    /** @param post sends one event and says how the webhook answered; never throws */
    public Webhook(Pacer pacer, Clock clock, Settings settings, Function<CampaignEvent, Answer> post) {
        this.pacer = pacer;
        this.clock = clock;
        this.settings = settings;
        this.post = post;
        pacer.register(new ScopeLimit(SCOPE, ScopeLimit.Unit.REQUESTS, settings.callsPerMinute(), 1, 1));
    }

    /** Starts the thread that delivers the events. */
    public synchronized void start() {
        worker = new Thread(this::run, "pacer-webhook");
        worker.setDaemon(true);
        worker.start();
    }

    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            notifyAll();
        }
    }

    /** A campaign ended: its outcomes. */
    public void campaignFinished(CampaignReport report) {
        post(new CampaignEvent(CampaignEvent.CAMPAIGN_FINISHED, clock.instant(), report.campaign(), report.campaignId(), 1, null,
                (report.simulated() ? "SIMULATED: " : "") + report.messages() + " messages, makespan " + report.makespanSeconds() + " s",
                report.outcomes(), null));
    }

    @Override
    public void messageFailed(String campaignId, String key, Outcome outcome, String reason) {
        String campaign = key == null || key.indexOf('/') < 0 ? null : key.substring(0, key.lastIndexOf('/'));
        post(new CampaignEvent(CampaignEvent.MESSAGES_FAILED, clock.instant(), campaign, campaignId == null ? "single messages" : campaignId,
                1, null, outcome + ": " + reason, null, List.of(key + " " + outcome + ": " + reason)));
    }

    @Override
    public void replied(String account, String from, String to, String text) {
        post(new CampaignEvent(CampaignEvent.REPLY_RECEIVED, clock.instant(), null, account, 1, null, "replies to " + account,
                null, List.of(from + " to " + to + ": " + (text == null ? "" : text.length() > 320 ? text.substring(0, 320) : text))));
    }

    @Override
    public void scopePaused(String scope, Instant until, String reason) {
        if (!SCOPE.equals(scope)) {
            post(new CampaignEvent(CampaignEvent.SCOPE_PAUSED, clock.instant(), null, scope, 1, until, reason, null, null));
        }
    }

    /** Queues {@code event}, folded into one of its kind that waits; never blocks beyond the queue's lock. */
    synchronized void post(CampaignEvent event) {
        CampaignEvent same = waiting.get(event.key());
        if (same != null) {
            CampaignEvent folded = same.fold(event);
            queue.replaceAll(e -> e == same ? folded : e);
            waiting.put(event.key(), folded);
            return;
        }
        if (queue.size() >= settings.capacity()) {
            CampaignEvent oldest = queue.pollFirst();
            waiting.remove(oldest.key());
            dropped++;
            log.warn("webhook queue full ({} events): dropped the oldest, {} of {}", settings.capacity(), oldest.type(), oldest.subject());
        }
        queue.addLast(event);
        waiting.put(event.key(), event);
        notifyAll();
    }

    /** Events posted so far, and dropped (queue full, refused, or tried too often). */
    public synchronized long delivered() {
        return delivered;
    }

    public synchronized long dropped() {
        return dropped;
    }

    /** Events waiting, the one being delivered included. */
    public synchronized int waiting() {
        return queue.size() + (current == null ? 0 : 1);
    }

    private void run() {
        while (!closed) {
            Instant next = step();
            synchronized (this) {
                long millis = Duration.between(clock.instant(), next).toMillis();
                if (millis > 0 && !closed && (current != null || queue.isEmpty())) {
                    try {
                        wait(millis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    /**
     * One step of delivery: takes the next event, waits for its slot in the webhook's scope, posts
     * it, and reads the answer. Returns when to take the next step (the worker sleeps till then).
     */
    Instant step() {
        Instant now = clock.instant();
        CampaignEvent event;
        synchronized (this) {
            if (current == null) {
                current = queue.pollFirst();
                if (current == null) {
                    return now.plus(IDLE);
                }
                waiting.remove(current.key());
                attempts = 0;
            }
            event = current;
        }
        if (slot == null) {
            Grant g = pacer.reserve(SCOPES, 1, Priority.BULK, ticket);
            if (!g.reserved()) {
                ticket = g.ticket();
                return g.at();
            }
            slot = g;
            ticket = -1;
            if (g.at().isAfter(now)) {
                return g.at();
            }
        }
        var hold = pacer.holdOff(SCOPES, slot.generation(), Priority.BULK, 1);
        if (hold.isPresent()) {
            slot = null;
            return now.plus(hold.get());
        }
        slot = null;
        Instant sentAt = clock.instant();
        Answer answer = post.apply(event);
        attempts++;
        if (answer.status() >= 200 && answer.status() < 300) {
            pacer.answered(SCOPE);
            done(true, event, null);
            return clock.instant();
        }
        if (answer.status() == 429) {
            Duration wait = answer.retryAfter() != null ? answer.retryAfter() : Duration.ofSeconds(1);
            Instant until = pacer.rateLimited(SCOPE, sentAt, wait, OptionalDouble.empty(), OptionalLong.empty(), false);
            log.info("the webhook answered 429: pausing it until {}", until);
            return until;
        }
        boolean retryable = answer.status() == 0 || answer.status() == 408 || answer.status() >= 500;
        if (!retryable || attempts >= settings.maxAttempts()) {
            done(false, event, answer.status() + (answer.problem() == null ? "" : " " + answer.problem()) + " after " + attempts + " attempts");
            return clock.instant();
        }
        Duration backoff = Duration.ofSeconds(1L << Math.min(6, attempts - 1));
        Instant at = clock.instant().plus(backoff.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff);
        if (answer.retryAfter() != null && clock.instant().plus(answer.retryAfter()).isAfter(at)) {
            at = clock.instant().plus(answer.retryAfter());
        }
        return at;
    }

    private synchronized void done(boolean ok, CampaignEvent event, String problem) {
        current = null;
        if (ok) {
            delivered++;
        } else {
            dropped++;
            log.warn("webhook: dropped {} of {} ({})", event.type(), event.subject(), problem);
        }
    }
}
