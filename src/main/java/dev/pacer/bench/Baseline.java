package dev.pacer.bench;

import java.time.Instant;
import java.util.List;

/**
 * A way to send a campaign that a user would otherwise pick. It sends every message until the
 * provider takes it, gives up on it, or {@code stopAt} comes; what the provider made of it is the
 * simulator's score, not the baseline's own account.
 */
public interface Baseline {

    String name();

    /** @return messages given up on (retries exhausted) or still unsent at {@code stopAt} */
    long send(List<BenchMessage> messages, BenchTarget target, String from, Instant stopAt) throws Exception;
}
