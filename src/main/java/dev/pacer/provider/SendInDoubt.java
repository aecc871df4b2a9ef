package dev.pacer.provider;

import java.time.Instant;

/**
 * A send whose answer was lost, as a provider's message list is searched for it: through which
 * account, from which number to which, and when the request went out.
 *
 * @param startedAt when the request went out (recorded before it did)
 */
public record SendInDoubt(String provider, String from, String to, Instant startedAt) {
}
