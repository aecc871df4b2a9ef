package dev.pacer.webhook;

import dev.pacer.flow.Outcome;
import dev.pacer.throttle.Adaptation;
import dev.pacer.throttle.MutableClock;
import dev.pacer.throttle.Pacer;
import dev.pacer.throttle.PacerSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The downstream webhook's delivery, stepped on a fake clock against a scripted webhook. */
class WebhookTest {

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    private final MutableClock clock = new MutableClock(T0);
    private final Pacer pacer = new Pacer(clock, new PacerSettings(Duration.ofSeconds(2), Duration.ZERO,
            new Adaptation(0.5, 0.1, Duration.ofSeconds(10), 0.1)), new SplittableRandom(1));
    /** The answers to come, in order; then 204. */
    private final Deque<Webhook.Answer> script = new ArrayDeque<>();
    private final List<CampaignEvent> posted = new ArrayList<>();
    private final List<Instant> postedAt = new ArrayList<>();

    private Webhook webhook(int perMinute, int capacity) {
        return new Webhook(pacer, clock, new Webhook.Settings(perMinute, 3, capacity), event -> {
            posted.add(event);
            postedAt.add(clock.instant());
            Webhook.Answer next = script.poll();
            return next != null ? next : new Webhook.Answer(204, null, null);
        });
    }

    /** Steps the webhook as its thread would, jumping the clock to each step's time, until nothing waits. */
    private void drain(Webhook w) {
        for (int i = 0; i < 1000 && w.waiting() > 0; i++) {
            Instant next = w.step();
            if (next.isAfter(clock.instant())) {
                clock.set(next);
            }
        }
        assertThat(w.waiting()).as("all delivered or dropped").isZero();
    }

    @Test
    void shouldPostNoFasterThanTheWebhooksOwnLimit() {
        Webhook w = webhook(60, 100);
        for (int i = 0; i < 5; i++) {
            w.scopePaused("bandwidth:acct:sender:+1202555010" + i, T0.plusSeconds(30), "429");
        }
        drain(w);
        assertThat(posted).hasSize(5);
        for (int i = 1; i < postedAt.size(); i++) {
            assertThat(Duration.between(postedAt.get(i - 1), postedAt.get(i))).as("60 a minute").isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        }
        assertThat(w.delivered()).isEqualTo(5);
    }

    @Test
    void shouldFoldTheFailuresOfOneCampaignThatPileUpIntoOneEvent() {
        Webhook w = webhook(60, 100);
        for (int i = 0; i < 25; i++) {
            w.messageFailed("camp-1", "reminders/" + i, Outcome.REJECTED, "400 request-validation");
        }
        w.messageFailed("camp-2", "other/1", Outcome.EXPIRED, "deadline");
        drain(w);
        assertThat(posted).hasSize(2);
        CampaignEvent first = posted.get(0);
        assertThat(first.type()).isEqualTo(CampaignEvent.MESSAGES_FAILED);
        assertThat(first.campaign()).isEqualTo("reminders");
        assertThat(first.count()).isEqualTo(25);
        assertThat(first.samples()).hasSize(CampaignEvent.SAMPLES).first().asString().startsWith("reminders/0 REJECTED");
    }

    @Test
    void shouldHonourA429sRetryAfterAndSlowDown() {
        Webhook w = webhook(60, 100);
        script.add(new Webhook.Answer(429, Duration.ofSeconds(10), "HTTP 429"));
        w.scopePaused("a", T0, "429");
        w.scopePaused("b", T0, "429");
        drain(w);
        assertThat(posted).extracting(CampaignEvent::subject).containsExactly("a", "a", "b");
        assertThat(Duration.between(postedAt.get(0), postedAt.get(1))).as("the told wait kept").isGreaterThanOrEqualTo(Duration.ofSeconds(10));
        assertThat(pacer.view(Webhook.SCOPE).rateLimits()).isEqualTo(1);
        assertThat(pacer.view(Webhook.SCOPE).rate()).as("its pace cut").isLessThan(60);
    }

    @Test
    void shouldBackOffAfterServerErrorsAndDropAnEventTriedTooOften() {
        Webhook w = webhook(600, 100);
        script.add(new Webhook.Answer(503, null, "HTTP 503"));
        script.add(new Webhook.Answer(0, null, "ConnectException"));
        script.add(new Webhook.Answer(500, null, "HTTP 500"));
        w.scopePaused("a", T0, "429");
        drain(w);
        assertThat(posted).hasSize(3);
        assertThat(Duration.between(postedAt.get(0), postedAt.get(1))).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(Duration.between(postedAt.get(1), postedAt.get(2))).as("doubling").isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(w.dropped()).as("three attempts, then dropped").isEqualTo(1);
        assertThat(w.delivered()).isZero();
        script.add(new Webhook.Answer(400, null, "HTTP 400"));
        w.scopePaused("b", T0, "429");
        drain(w);
        assertThat(posted).as("a refusal is not tried again").hasSize(4);
        assertThat(w.dropped()).isEqualTo(2);
    }

    @Test
    void shouldDropTheOldestWhenItsQueueIsFullAndNeverBlock() {
        Webhook w = webhook(60, 3);
        for (int i = 0; i < 5; i++) {
            w.scopePaused("scope-" + i, T0, "429");
        }
        assertThat(w.waiting()).isEqualTo(3);
        assertThat(w.dropped()).isEqualTo(2);
        drain(w);
        assertThat(posted).extracting(CampaignEvent::subject).containsExactly("scope-2", "scope-3", "scope-4");
    }

    @Test
    void shouldNotTellOfItsOwnPauses() {
        Webhook w = webhook(60, 3);
        w.scopePaused(Webhook.SCOPE, T0.plusSeconds(5), "429");
        assertThat(w.waiting()).isZero();
    }
}
