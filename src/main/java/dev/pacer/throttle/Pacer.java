package dev.pacer.throttle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * Grants send slots so that no scope's limit is exceeded, and finds the fastest pace each scope's
 * provider really allows.
 *
 * <p>A send is subject to several scopes at once (the provider account, the API user, the sender
 * number, the campaign). Each scope runs the generic cell rate algorithm (GCRA, the virtual-scheduling
 * form of a token bucket): a theoretical arrival time advanced by one emission interval per permit,
 * with a tolerance of {@code burst} permits. A grant is one slot time {@code T} common to all the
 * send's scopes, the earliest at which every one of them conforms, and it is booked in each at
 * {@code T}. (Token-bucket libraries reserve the earliest slot in each bucket on its own; booking a
 * bucket for a time earlier than the send really goes lets the sends bunch up in that scope.)
 *
 * <p>Nothing polls: the caller waits on a timer until {@code T}. Bulk messages book at most
 * {@code bulkHorizon} ahead; beyond it they are told when to ask again (staggered by their place in
 * the queue), which leaves the slots after the horizon free for a real-time message.
 *
 * <p>Feedback from the provider moves the pace: a 429 pauses its scope and, unless the response
 * states the allowed rate (then adopted outright), cuts the scope's rate by a factor (multiplicative
 * decrease); after each quiet period in which the scope was busy the rate climbs back by a step
 * (additive increase), never above the configured ceiling. Rate-limit headers that report the
 * window's remaining quota spread what is left over the rest of the window, and hold the scope
 * until the reset when nothing is left, so that the 429 does not come at all.
 *
 * <p>In a cluster ({@code dev.pacer.cluster.ClusterNode}) the pacers of the nodes share each scope:
 * slots only inside windows claimed of one {@link Timeline}, burst and in-flight places by
 * {@link #share(double)}, and what one pacer learns from a 429 or a message leaving its queue
 * elsewhere told to the others through a {@link PacerListener}. A slot carries its pacer's tag, so
 * one granted on another node is told apart from a stale one of this node's.
 */
public final class Pacer {

    /**
     * The ticket that puts a message at the front of the bulk queue: a bulk send that gave its slot
     * up to a real-time one asks again with it.
     */
    public static final long FRONT = -2;
    /** The generation's bits below the node's tag. */
    private static final int TAG_SHIFT = 40;

    private final Clock clock;
    private final PacerSettings settings;
    private final RandomGenerator random;
    private final Map<String, Scope> scopes = new ConcurrentHashMap<>();
    /**
     * This pacer's mark on the generations of the slots it grants: a slot granted on another node of
     * a cluster (whose timer fired here) is told apart from one of this node's made stale by a pause.
     */
    private final long tag;
    /** This node's share of every scope's burst and in-flight places: 1 alone, 1/n with n nodes. */
    private double share = 1;
    /** The scopes' slots shared with the other nodes of a cluster; null alone. */
    private Timeline timeline;
    private volatile PacerListener listener = new PacerListener() { };

    public Pacer(Clock clock, PacerSettings settings, RandomGenerator random) {
        this.clock = clock;
        this.settings = settings;
        this.random = random;
        this.tag = 1 + random.nextLong((1L << (63 - TAG_SHIFT)) - 1);
    }

    /**
     * Takes {@code fraction} of every scope's burst and in-flight places, the other nodes of a cluster
     * taking the rest (their rate they share through a {@link Timeline}). Scopes met later start with
     * this share too.
     */
    public synchronized void share(double fraction) {
        check(fraction);
        share = fraction;
        scopes.values().forEach(s -> s.share(fraction));
    }

    private static void check(double fraction) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("a node's share must be in (0, 1], got " + fraction);
        }
    }

    /** The share new scopes start with. */
    public synchronized double share() {
        return share;
    }

    /**
     * Takes this node's slots of every scope with a pace from {@code timeline}, shared with the other
     * nodes of a cluster (null: alone again, every slot is this node's). The slots this node has
     * booked ahead are claimed first, so the others book after them.
     */
    public synchronized void shareTimeline(Timeline timeline) {
        if ((timeline == null) == (this.timeline == null)) {
            return;
        }
        this.timeline = timeline;
        long now = now();
        for (Scope s : scopes.values()) {
            s.windowStart = Long.MIN_VALUE;
            s.windowEnd = timeline == null ? Long.MAX_VALUE : Math.max(now, s.tat);
            if (timeline != null && s.tat > now && s.interval(now) > 0) {
                timeline.claim(s.limit.scope(), now, s.tat - now);
            }
        }
    }

    /**
     * Moves {@code t} into windows of the shared timeline this node holds for every scope, claiming
     * new windows as its slots reach the end of the last; alone, {@code t} is returned as it is.
     */
    private long inWindows(List<Scope> ss, long t, int segments, long now) {
        if (timeline == null) {
            return t;
        }
        for (int round = 0; round < 4; round++) {
            long before = t;
            for (Scope s : ss) {
                t = s.inWindow(t, segments, now, timeline);
            }
            if (t == before) {
                return t;
            }
        }
        return t;
    }

    /** Whether a slot of {@code generation} was granted by this pacer (not by another node's). */
    public boolean isLocal(long generation) {
        return generation >>> TAG_SHIFT == tag;
    }

    /** Adds a scope, or replaces its limit (what the scope learned, its bookings and pause are dropped). */
    public synchronized void register(ScopeLimit limit) {
        scopes.put(limit.scope(), scope(limit));
    }

    /** Adds a scope unless one of that name exists (a sender number or campaign seen for the first time). */
    public void ensure(ScopeLimit limit) {
        if (!scopes.containsKey(limit.scope())) {
            synchronized (this) {
                scopes.computeIfAbsent(limit.scope(), k -> scope(limit));
            }
        }
    }

    private Scope scope(ScopeLimit limit) {
        Scope s = new Scope(limit, now());
        if (share < 1) {
            s.share(share);
        }
        if (timeline != null) {
            s.windowEnd = Long.MIN_VALUE;
        }
        return s;
    }

    /**
     * Asks for a slot for a message of {@code segments} in all of {@code names}.
     *
     * <p>Bulk messages whose turn lies beyond the horizon queue up in the first scope (the
     * account, which every send of a provider shares): each gets a ticket, its place in that queue
     * counted in permits, and is told to ask again a horizon before its turn. Coming back with its
     * ticket it keeps its place, however the pace changed meanwhile.
     *
     * <p>A real-time message overtakes the bulk sends already booked (not other real-time ones): it
     * is granted the slot of the next bulk send booked, so it waits at most one slot and the scope's
     * bookings do not grow; that bulk send owes its slot and pays when it checks in
     * ({@link #holdOff}), by stepping back to the front of the queue. While real-time traffic has
     * taken more than {@code 1 - bulkShare} of a
     * busy scope's recent sends it waits in the bulk queue instead, so bulk is never starved.
     *
     * @param ticket the ticket of an earlier unreserved grant of this message, {@link #FRONT} for a
     *               bulk send that stepped back for a real-time one, or -1
     */
    public synchronized Grant reserve(List<String> names, int segments, Priority priority, long ticket) {
        if (segments < 1) {
            throw new IllegalArgumentException("segments must be at least 1, got " + segments);
        }
        List<Scope> ss = resolve(names);
        long now = now();
        Scope queue = ss.get(0);
        boolean overtake = priority == Priority.REALTIME && ss.stream().noneMatch(s -> s.realtimeCrowding(now, settings.bulkShare()));
        Priority lane = priority == Priority.REALTIME && !overtake ? Priority.BULK : priority;
        long t = now;
        long fifo = now;
        long generation = 0;
        for (Scope s : ss) {
            int n = s.limit.permits(segments);
            s.adapt(now, settings.adaptation());
            double interval = s.interval(now);
            if (s.tat <= now) {
                s.lane.owed = 0;
            }
            // A scope with no pace of its own (yet) only holds a send back while it is paused.
            long earliest = interval == 0 ? s.pausedUntil : Math.max(s.pausedUntil, s.tat - (long) ((s.tolerance - n) * interval));
            fifo = Math.max(fifo, earliest);
            if (overtake && interval > 0 && s.lane.bulkAhead(now) > s.lane.owed) {
                // the slot of the next bulk send booked (and not yet given up), behind the real-time sends
                long realtimeLane = s.lane.realtimeTat - (long) ((s.tolerance - n) * interval);
                long next = Math.max(Math.max(s.pausedUntil, realtimeLane), s.lane.bulkSlotAfter(now, s.lane.owed, s.tat));
                earliest = Math.min(earliest, next);
            }
            t = Math.max(t, earliest);
            generation += s.generation;
        }
        generation = tagged(generation);
        int queued = queue.limit.permits(segments);
        boolean returning = ticket >= 0 && ticket < queue.bulkTickets;
        if (lane == Priority.BULK && ticket != FRONT) {
            long waiting = queue.bulkTickets - queue.bulkServed;
            long ahead = returning ? Math.min(Math.max(0, ticket - queue.bulkServed), waiting) : waiting;
            // Turns are reckoned at the scope's ceiling, not its pace now: after a slow spell (a cut, a
            // lockout) the queue must not stay asleep on timers set at the slow pace. At a pace below
            // the ceiling a message comes back a little early and is told again.
            long turn = t + (long) (ahead * queue.ceilingInterval());
            if (turn - now > settings.bulkHorizon().toNanos()) {
                long place = returning ? ticket : queue.bulkTickets;
                if (!returning) {
                    queue.bulkTickets += queued;
                }
                return new Grant(false, instant(turn - settings.bulkHorizon().toNanos()), generation, place);
            }
        }
        if (returning) {
            queue.bulkServed += queued;
        }
        t = inWindows(ss, t, segments, now);
        for (Scope s : ss) {
            int n = s.limit.permits(segments);
            double interval = s.interval(now);
            int covered = 0;
            if (t < fifo && interval > 0 && t < s.tat - (long) ((s.tolerance - n) * interval)) {
                // The real-time send takes the slot of a bulk send booked ahead, which steps back when
                // it checks in: the scope's bookings do not grow, so no slot is lost to the overtaking.
                covered = (int) Math.max(0, Math.min(n, s.lane.bulkAhead(now) - s.lane.owed));
                s.lane.owed += covered;
            }
            s.tat = Math.max(s.tat, t) + (long) ((n - covered) * interval);
            if (priority == Priority.REALTIME) {
                s.lane.realtimeTat = Math.max(s.lane.realtimeTat, t) + (long) (n * interval);
            }
            if (priority == Priority.BULK) {
                s.lane.book(t, n);
            }
            if (ticket != FRONT) {
                // a bulk send booking again after stepping back replaces a booking already counted
                s.count(now, n, priority == Priority.REALTIME);
            }
        }
        return new Grant(true, instant(t), generation, -1);
    }

    /**
     * Gives a grant back unused (its message expired, was cancelled, or found no place in flight):
     * a reserved slot is freed in each scope, an unreserved grant leaves its place in the bulk queue.
     */
    public void release(List<String> names, Grant grant, int segments) {
        if (!grant.reserved() && !isLocal(grant.generation())) {
            // a place in another node's queue: that node frees it once it hears of it (told outside the lock)
            listener.leftQueue(new QueueLeft(grant.generation() >>> TAG_SHIFT, names.get(0), resolve(names.get(0)).limit.permits(segments)));
            return;
        }
        releaseHere(names, grant, segments);
    }

    private synchronized void releaseHere(List<String> names, Grant grant, int segments) {
        List<Scope> ss = resolve(names);
        long now = now();
        if (!grant.reserved()) {
            Scope queue = ss.get(0);
            if (grant.ticket() >= 0 && grant.ticket() < queue.bulkTickets) {
                queue.bulkServed += queue.limit.permits(segments);
            }
            return;
        }
        if (grant.generation() != generation(ss)) {
            return;
        }
        for (Scope s : ss) {
            if (s.tat > now) {
                s.tat = Math.max(now, s.tat - (long) (s.limit.permits(segments) * s.interval(now)));
            }
        }
    }

    /**
     * Pauses the whole scope for the provider's {@code wait} plus a small positive jitter. Slots
     * granted before are void (their generation is over); after the pause the scope starts with
     * one permit, so waiting messages resume one by one at the scope's pace rather than all at once.
     *
     * @return the end of the pause (a later pause already in force wins)
     */
    public synchronized Instant pause(String scope, Duration wait) {
        Scope s = resolve(scope);
        long jitter = settings.pauseJitter().isZero() ? 0 : random.nextLong(settings.pauseJitter().toNanos() + 1);
        long until = now() + Math.max(0, wait.toNanos()) + jitter;
        if (until > s.pausedUntil) {
            s.restart(until, now());
            s.pauses++;
        }
        return instant(s.pausedUntil);
    }

    /**
     * Lets idle scopes start again at their pace, one permit first, rather than with the burst they
     * saved while idle (a campaign resumed after a pause). A busy scope is left as it is: its
     * bookings already pace it, and none of them is voided.
     */
    public synchronized void settle(List<String> names) {
        long now = now();
        for (Scope s : resolve(names)) {
            long full = now + (long) ((s.tolerance - 1) * s.interval(now));
            s.tat = Math.max(s.tat, full);
            s.lane.realtimeTat = Math.max(s.lane.realtimeTat, full);
        }
    }

    /**
     * Holds every scope of a send that has just been answered 429 for the wait the response
     * told, at once: sends in other threads check their scopes right before they go, and must not
     * slip through while the response is still being classified. The scope the 429 belongs to is then
     * paused properly by {@link #rateLimited}.
     */
    public synchronized void hold(List<String> names, Duration wait) {
        long now = now();
        long until = now + Math.max(0, wait.toNanos());
        for (Scope s : resolve(names)) {
            if (until > s.pausedUntil) {
                s.restart(until, now);
            }
        }
    }

    /**
     * A 429 for {@code scope}: pauses it and lowers its pace. A stated rate (and queue capacity) is
     * adopted as the scope's ceiling and, when lower, as its pace; otherwise (and when 429s go on at
     * the stated rate) the rate is cut by the decrease factor, once per round: 429s to requests sent
     * before the last cut say nothing new.
     *
     * @param sentAt    when the rate-limited request went out
     * @param explained the response's rate-limit headers explain the 429 (the window's quota is
     *                  spent): the scope waits for the reset but its pace is not cut
     * @return the end of the pause
     */
    public Instant rateLimited(String scope, Instant sentAt, Duration wait,
                              OptionalDouble statedPerMinute, OptionalLong statedCapacity, boolean explained) {
        Instant until = rateLimitedHere(scope, sentAt, wait, statedPerMinute, statedCapacity, explained);
        // told outside the lock: the other nodes of a cluster hear of it through the database
        listener.rateLimited(new RateLimit(scope, sentAt, until, statedPerMinute, statedCapacity, explained));
        return until;
    }

    private synchronized Instant rateLimitedHere(String scope, Instant sentAt, Duration wait,
                                                 OptionalDouble statedPerMinute, OptionalLong statedCapacity, boolean explained) {
        resolve(scope).rateLimited(now(), nanos(sentAt), statedPerMinute, statedCapacity, explained, settings.adaptation());
        return pause(scope, wait);
    }

    /**
     * A 429 another node of the cluster got: the scope is paused until the end that node set, and
     * its pace learns from it as from one of this node's own. A scope this node has not met yet (a
     * sender number it has not sent from) is left alone.
     */
    public synchronized void rateLimitedElsewhere(RateLimit r) {
        Scope s = scopes.get(r.scope());
        if (s == null) {
            return;
        }
        long now = now();
        s.rateLimited(now, nanos(r.sentAt()), r.statedPerMinute(), r.statedCapacity(), r.explained(), settings.adaptation());
        long until = nanos(r.until());
        if (until > s.pausedUntil) {
            s.restart(until, now);
            s.pauses++;
        }
    }

    /**
     * A message queued by this node left its place from another node (its timer fired there): the
     * place is freed, so the messages behind it do not wait for it.
     */
    public synchronized void leftQueueElsewhere(QueueLeft left) {
        Scope queue = scopes.get(left.scope());
        if (left.owner() == tag && queue != null) {
            queue.bulkServed = Math.min(queue.bulkTickets, queue.bulkServed + left.permits());
        }
    }

    /** Tells {@code listener} what the other nodes of a cluster need to hear of this pacer's. */
    public void listen(PacerListener listener) {
        this.listener = listener;
    }


    /**
     * What the scope's rate-limit headers said. When the quota left is no more than the requests
     * still in flight, the scope holds until the window resets; otherwise what is left is spread
     * over the rest of the window. A quota much tighter than the pace booked so far re-plans the
     * scope: slots booked ahead are voided and granted again at the new pace.
     */
    public synchronized void observe(String scope, Quota quota) {
        resolve(scope).observe(now(), quota);
    }

    /**
     * A send of {@code scope} got no answer or a server error. Once that has happened to enough
     * sends in a row the provider counts as down: the scope is held until it is probed (one send
     * at a time, at growing intervals), and this returns when; the message waits for it without
     * spending an attempt. Empty while the provider is not down.
     */
    public synchronized Optional<Instant> failed(String scope) {
        long probeAt = resolve(scope).failed(now(), settings.circuit());
        return probeAt < 0 ? Optional.empty() : Optional.of(instant(probeAt));
    }

    /**
     * The provider answered a send of {@code scope} (anything but no answer or a server error): it
     * is up. After an outage the scope starts again at its pace, one permit first, not with a burst.
     */
    public synchronized void answered(String scope) {
        resolve(scope).answered(now());
    }

    /**
     * The provider refused a request of {@code scope} sent at {@code sentAt} because too many were in
     * flight at once (Twilio's 20429): the scope's in-flight places become the requests still in
     * flight beside it (at least one, fewer than before), and climb back one at a time after many
     * sends taken in a row ({@link #accepted}). Its rate is left alone. Call it after the refused
     * request has left its place ({@link #exit}).
     *
     * @param besideAtAnswer the requests that were in flight beside the refused one when its answer
     *                       came, when that was counted then (a batch hears its answers later); null: now
     * @return the in-flight places open now
     */
    public synchronized int tooManyInFlight(String scope, Instant sentAt, Integer besideAtAnswer) {
        Scope s = resolve(scope);
        s.tooManyInFlight(now(), nanos(sentAt), besideAtAnswer);
        return s.concurrency;
    }

    /** The requests of {@code scope} in flight now. */
    public int inFlight(String scope) {
        return view(scope).inFlight();
    }

    /**
     * A send the provider took: counts its segments into the estimate of the provider's queue, and
     * gives back an in-flight place a refusal took ({@link #tooManyInFlight}), slowly.
     */
    public synchronized void accepted(List<String> names, int segments) {
        long now = now();
        for (Scope s : resolve(names)) {
            s.taken();
            if (s.limit.unit() == ScopeLimit.Unit.SEGMENTS && s.limit.limited()) {
                s.queueLevel = s.queueAt(now) + segments;
                s.queueTime = now;
            }
        }
    }

    /** How long from now any of the scopes stays paused (a 429's wait), or empty; unlike {@link #holdOff} it changes nothing. */
    public synchronized Optional<Duration> paused(List<String> names) {
        long now = now();
        long until = resolve(names).stream().mapToLong(s -> s.pausedUntil).max().orElse(0);
        return now < until ? Optional.of(Duration.ofNanos(until - now)) : Optional.empty();
    }

    /**
     * Checks, just before a send, that its slot is still good: empty when it may go; otherwise how
     * long to hold off (zero when the message only needs a new slot: its slot was voided by a pause
     * that is already over, or, for a bulk send, a real-time one took it; it asks again with
     * {@link #FRONT}).
     */
    public synchronized Optional<Duration> holdOff(List<String> names, long generation, Priority priority, int segments) {
        List<Scope> ss = resolve(names);
        long now = now();
        long until = ss.stream().mapToLong(s -> s.pausedUntil).max().orElse(0);
        if (now < until) {
            return Optional.of(Duration.ofNanos(until - now));
        }
        boolean local = isLocal(generation);
        if (local && generation != generation(ss)) {
            return Optional.of(Duration.ZERO);
        }
        // a slot another node granted (its timer fired here) was paced by that node's share: only
        // a pause or a provider down holds it back here
        if (local && priority == Priority.BULK && ss.stream().anyMatch(s -> s.lane.owed > 0)) {
            for (Scope s : ss) {
                s.lane.owed = Math.max(0, s.lane.owed - s.limit.permits(segments));
            }
            return Optional.of(Duration.ZERO);
        }
        // last: a send let through here goes, so it can be the probe of a provider that is down
        for (Scope s : ss) {
            long held = s.circuit.holdOff(now);
            if (held > 0) {
                return Optional.of(Duration.ofNanos(held));
            }
        }
        return Optional.empty();
    }

    /**
     * Takes an in-flight place in each scope, in the order given (every send names its scopes in
     * the same order), waiting at most {@code timeout} in all.
     */
    public boolean enter(List<String> names, Duration timeout) throws InterruptedException {
        List<Scope> ss = resolve(names);
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Scope> taken = new ArrayList<>(ss.size());
        for (Scope s : ss) {
            if (!s.inFlight.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                taken.forEach(x -> x.inFlight.release());
                return false;
            }
            taken.add(s);
        }
        return true;
    }

    public void exit(List<String> names) {
        resolve(names).forEach(s -> s.inFlight.release());
    }

    public synchronized ScopeView view(String scope) {
        return resolve(scope).view(now());
    }

    public List<String> scopes() {
        return List.copyOf(scopes.keySet());
    }

    private long generation(List<Scope> ss) {
        long g = 0;
        for (Scope s : ss) {
            g += s.generation;
        }
        return tagged(g);
    }

    private long tagged(long generation) {
        return tag << TAG_SHIFT | (generation & ((1L << TAG_SHIFT) - 1));
    }

    private List<Scope> resolve(List<String> names) {
        List<Scope> ss = new ArrayList<>(names.size());
        for (String n : names) {
            ss.add(resolve(n));
        }
        return ss;
    }

    private Scope resolve(String name) {
        Scope s = scopes.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no limit is configured for scope '" + name + "'");
        }
        return s;
    }

    private long now() {
        return nanos(clock.instant());
    }

    private static long nanos(Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }
}
