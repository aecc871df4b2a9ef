package dev.pacer.throttle;

import java.util.TreeMap;

/**
 * The real-time lane of one scope: where the last real-time booking left the lane, the bulk slots
 * booked ahead that a real-time send may take (and the permits it owes them), and the decaying
 * counts of recent real-time and total permits that keep bulk its minimum share.
 */
final class RealtimeLane {

    /** Time constant of the decaying count of recent real-time and total permits. */
    private static final double SHARE_NANOS = 10e9;

    /** Theoretical arrival time of the real-time lane: where the last real-time booking left it. */
    long realtimeTat;
    /** Permits real-time sends took ahead of bulk sends already booked, not yet given back. */
    long owed;
    /** Bulk permits booked, by slot time, while their slot is to come (at most a horizon's worth). */
    private final TreeMap<Long, Integer> bulkSlots = new TreeMap<>();
    private long bulkBooked;
    /** Decaying counts of recent real-time and of all permits, and when they were last decayed. */
    private double recentRealtime;
    private double recentAll;
    private long recentAt;

    RealtimeLane(long now) {
        this.realtimeTat = now;
    }

    /** A new generation of the scope from {@code tat}: the bookings and what real-time sends owe are void. */
    void restart(long tat) {
        owed = 0;
        bulkSlots.clear();
        bulkBooked = 0;
        realtimeTat = tat;
    }

    /** A bulk send booked {@code permits} at slot time {@code t}. */
    void book(long t, int permits) {
        bulkSlots.merge(t, permits, Integer::sum);
        bulkBooked += permits;
    }

    /** Bulk permits booked for slots still to come. */
    long bulkAhead(long now) {
        for (var e = bulkSlots.firstEntry(); e != null && e.getKey() <= now; e = bulkSlots.firstEntry()) {
            bulkBooked -= e.getValue();
            bulkSlots.pollFirstEntry();
        }
        return bulkBooked;
    }

    /** The slot time of the first bulk permit booked after now beyond the first {@code skip}; {@code tat} when there is none. */
    long bulkSlotAfter(long now, long skip, long tat) {
        long seen = 0;
        for (var e : bulkSlots.tailMap(now, false).entrySet()) {
            seen += e.getValue();
            if (seen > skip) {
                return e.getKey();
            }
        }
        return tat;
    }

    void count(long now, int permits, boolean realtime) {
        decay(now);
        recentAll += permits;
        if (realtime) {
            recentRealtime += permits;
        }
    }

    void decay(long now) {
        if (now > recentAt) {
            double f = Math.exp(-(now - recentAt) / SHARE_NANOS);
            recentRealtime *= f;
            recentAll *= f;
            recentAt = now;
        }
    }

    /** The share of recent permits that real-time sends took. */
    double realtimeShare() {
        return recentAll == 0 ? 0 : recentRealtime / recentAll;
    }

    /**
     * Real-time sends have lately taken more than their share of a scope that has bulk sends
     * waiting ({@code bulkQueued}): the next one must queue with bulk.
     */
    boolean crowding(long now, double bulkShare, boolean bulkQueued) {
        decay(now);
        boolean bulkWaiting = bulkAhead(now) > 0 || bulkQueued;
        return bulkWaiting && recentAll > 0 && recentRealtime > (1 - bulkShare) * recentAll;
    }
}
