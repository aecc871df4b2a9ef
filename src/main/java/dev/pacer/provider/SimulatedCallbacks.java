package dev.pacer.provider;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * What a simulator posts back about the messages it takes, and the posting: which receipt each
 * message gets ({@code pacer.simulator.receipts.*}), which recipients answer STOP
 * ({@code pacer.simulator.replies.*}), and the posts themselves, on a thread of their own, to
 * {@code serve}'s {@code /callbacks/NAME} once it is up. Each simulator writes the bodies in its
 * provider's own form; the choices are made here so that every simulator makes them alike.
 */
public final class SimulatedCallbacks implements AutoCloseable {

    /** Where a carrier's daily cap (T-Mobile's) resets: midnight Pacific. */
    private static final ZoneId CAP_ZONE = ZoneId.of("America/Los_Angeles");
    /** How long after the first a receipt posted twice comes again. */
    private static final Duration AGAIN = Duration.ofMillis(100);

    /** What becomes of a message at the carrier. */
    public enum Fate { DELIVERED, FILTERED, CAPPED }

    /**
     * The callbacks one message the simulator took gets.
     *
     * @param receipt  whether a receipt is posted at all ({@code pacer.simulator.receipts.enabled})
     * @param fate     what the receipt says
     * @param twice    whether the receipt is posted a second time, {@link #again()} later
     * @param stop     whether its recipient answers STOP, {@link #replyAfter()} after the message was taken
     */
    public record Plan(boolean receipt, Fate fate, boolean twice, Duration receiptAfter, boolean stop, Duration replyAfter) {

        /** When a receipt posted twice comes the second time. */
        public Duration again() {
            return receiptAfter.plus(AGAIN);
        }
    }

    private final String name;
    private final RandomGenerator random;
    private final HttpClient http = HttpClient.newHttpClient();
    private final Set<String> stopped = new HashSet<>();
    private SimulatorProperties.Receipts receipts;
    private SimulatorProperties.Replies replies;
    private URI to;
    private String authorization;
    private ScheduledExecutorService poster;
    private LocalDate capDay;
    private int takenToday;
    private long posted;

    /**
     * @param name   the provider's type, for the posting thread's name
     * @param random the simulator's own, used only under its lock
     */
    public SimulatedCallbacks(String name, SimulatorProperties.Receipts receipts, SimulatorProperties.Replies replies, RandomGenerator random) {
        this.name = name;
        this.receipts = receipts;
        this.replies = replies;
        this.random = random;
    }

    public synchronized void receipts(SimulatorProperties.Receipts receipts) {
        this.receipts = receipts;
    }

    public synchronized void replies(SimulatorProperties.Replies replies) {
        this.replies = replies;
    }

    /**
     * Posts to {@code callbackUrl} from now on, with that {@code Authorization} header (null for a
     * provider that signs its posts instead), if there is anything to post.
     *
     * @return whether it will post anything: receipts or replies are on
     */
    public synchronized boolean postTo(URI callbackUrl, String authorization) {
        if (!receipts.enabled() && !replies.any()) {
            return false;
        }
        this.to = callbackUrl;
        this.authorization = authorization;
        if (poster == null) {
            poster = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, name + "-simulator-callbacks");
                t.setDaemon(true);
                return t;
            });
        }
        return true;
    }

    /** Whether it posts, that is whether {@link #postTo} was told where. */
    public synchronized boolean posting() {
        return to != null;
    }

    /** Where it posts: {@code serve}'s {@code /callbacks/NAME}; null until {@link #postTo}. */
    public synchronized URI to() {
        return to;
    }

    /** The {@code Authorization} header its posts carry, or null. */
    public synchronized String authorization() {
        return authorization;
    }

    /**
     * The callbacks of a message just taken, to {@code recipient} at {@code providerNow}: over the
     * day's cap (counted from midnight Pacific), else filtered as spam at the configured share, else
     * delivered; posted twice at the duplicate share; and a STOP from a recipient who answers STOP
     * (once each) to a message delivered.
     */
    public synchronized Plan plan(String recipient, Instant providerNow) {
        LocalDate day = LocalDate.ofInstant(providerNow, CAP_ZONE);
        if (!day.equals(capDay)) {
            capDay = day;
            takenToday = 0;
        }
        takenToday++;
        boolean capped = receipts.dailyCap() > 0 && takenToday > receipts.dailyCap();
        boolean filtered = !capped && receipts.filteredRate() > 0 && random.nextDouble() < receipts.filteredRate();
        Fate fate = capped ? Fate.CAPPED : filtered ? Fate.FILTERED : Fate.DELIVERED;
        boolean twice = receipts.enabled() && receipts.duplicateRate() > 0 && random.nextDouble() < receipts.duplicateRate();
        boolean stop = fate == Fate.DELIVERED && recipient != null && !stopped.contains(recipient) && replies.answersStop(recipient, random);
        if (stop) {
            stopped.add(recipient);
        }
        return new Plan(receipts.enabled(), fate, twice, receipts.delay(), stop, replies.delay());
    }

    /** Posts {@code request} {@code after} from now; a post that fails is not tried again. */
    public synchronized void post(Duration after, HttpRequest request) {
        if (poster == null) {
            return;
        }
        poster.schedule(() -> send(request), after.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void send(HttpRequest request) {
        try {
            http.send(request, HttpResponse.BodyHandlers.discarding());
            synchronized (this) {
                posted++;
            }
        } catch (IOException e) {
            // the provider would try again for hours; the simulator does not
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Callbacks posted so far (receipts posted twice counted twice, replies included). */
    public synchronized long posted() {
        return posted;
    }

    @Override
    public synchronized void close() {
        if (poster != null) {
            poster.shutdownNow();
        }
    }
}
