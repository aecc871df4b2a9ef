package dev.pacer.retry;

import dev.pacer.throttle.Quota;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the quota a response reports before any 429 comes, from whichever family of headers the
 * provider uses:
 * <ul>
 *   <li>IETF draft, structured fields: {@code RateLimit: "default";r=50;t=30} with
 *       {@code RateLimit-Policy: "default";q=100;w=60};</li>
 *   <li>IETF draft, earlier forms: {@code RateLimit: limit=100, remaining=50, reset=30} or the three
 *       fields {@code RateLimit-Limit}, {@code RateLimit-Remaining}, {@code RateLimit-Reset} (seconds);</li>
 *   <li>{@code X-RateLimit-Limit/Remaining/Reset}, whose reset is seconds at some providers and an
 *       epoch time (seconds or milliseconds) at others: a value too large to be a wait is read as a
 *       time, against the response's {@code Date} when it has one;</li>
 *   <li>Genesys Cloud: {@code inin-ratelimit-allowed}, {@code inin-ratelimit-count} and
 *       {@code inin-ratelimit-reset} (seconds).</li>
 * </ul>
 * Where a response carries several lists (several policies), the one with the least left wins.
 */
public final class RateLimitHeaders {

    /** Resets above this many seconds are epoch times, not waits (about 31 years). */
    private static final long EPOCH_SECONDS_FROM = 1_000_000_000L;
    private static final long EPOCH_MILLIS_FROM = 100_000_000_000L;

    private static final Pattern PARAM = Pattern.compile("(?:^|[;,\\s])([a-z]+)\\s*=\\s*\"?(-?\\d+)\"?");

    private RateLimitHeaders() {
    }

    /**
     * @param header a case-insensitive header lookup, giving null for an absent header
     * @param now    our current time, for an epoch reset when the response has no usable {@code Date}
     */
    public static Optional<Quota> read(Function<String, String> header, Instant now) {
        String date = header.apply("Date");
        Instant reference = date == null ? now : RetryAfter.httpDate(date.strip(), now).orElse(now);
        return structured(header.apply("RateLimit"), header.apply("RateLimit-Policy"))
                .or(() -> fields(header, "RateLimit-", reference))
                .or(() -> fields(header, "X-RateLimit-", reference))
                .or(() -> genesys(header));
    }

    private static Optional<Quota> structured(String rateLimit, String policy) {
        if (rateLimit == null || rateLimit.isBlank()) {
            return Optional.empty();
        }
        Quota best = null;
        for (String member : rateLimit.split(",(?=\\s*\")")) {
            Long remaining = param(member, "r", "remaining");
            Long reset = param(member, "t", "reset");
            if (remaining == null || reset == null || remaining < 0 || reset < 0) {
                continue;
            }
            Long limit = param(member, "limit", "limit");
            if (limit == null && policy != null) {
                limit = param(policyFor(policy, member), "q", "q");
            }
            Quota q = new Quota(limit == null ? -1 : limit, remaining, Duration.ofSeconds(reset));
            if (best == null || q.remaining() < best.remaining()) {
                best = q;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The policy list member with the same name as a {@code RateLimit} member, else the whole field. */
    private static String policyFor(String policy, String member) {
        Matcher name = Pattern.compile("^\\s*(\"[^\"]*\")").matcher(member);
        if (name.find()) {
            for (String p : policy.split(",(?=\\s*\")")) {
                if (p.trim().startsWith(name.group(1))) {
                    return p;
                }
            }
        }
        return policy;
    }

    private static Long param(String text, String key, String alias) {
        Matcher m = PARAM.matcher(text);
        while (m.find()) {
            if (m.group(1).equalsIgnoreCase(key) || m.group(1).equalsIgnoreCase(alias)) {
                try {
                    return Long.parseLong(m.group(2));
                } catch (NumberFormatException tooLarge) {
                    return null;
                }
            }
        }
        return null;
    }

    private static Optional<Quota> fields(Function<String, String> header, String prefix, Instant reference) {
        Long remaining = number(header.apply(prefix + "Remaining"));
        Long reset = number(header.apply(prefix + "Reset"));
        if (remaining == null || reset == null || remaining < 0 || reset < 0) {
            return Optional.empty();
        }
        Long limit = number(header.apply(prefix + "Limit"));
        return Optional.of(new Quota(limit == null ? -1 : limit, remaining, resetWait(reset, reference)));
    }

    private static Optional<Quota> genesys(Function<String, String> header) {
        Long allowed = number(header.apply("inin-ratelimit-allowed"));
        Long count = number(header.apply("inin-ratelimit-count"));
        Long reset = number(header.apply("inin-ratelimit-reset"));
        if (allowed == null || count == null || reset == null || reset < 0) {
            return Optional.empty();
        }
        return Optional.of(new Quota(allowed, Math.max(0, allowed - count), Duration.ofSeconds(reset)));
    }

    private static Duration resetWait(long reset, Instant reference) {
        if (reset >= EPOCH_MILLIS_FROM) {
            return positive(Duration.between(reference, Instant.ofEpochMilli(reset)));
        }
        if (reset >= EPOCH_SECONDS_FROM) {
            return positive(Duration.between(reference, Instant.ofEpochSecond(reset)));
        }
        return Duration.ofSeconds(reset);
    }

    private static Duration positive(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }

    private static Long number(String value) {
        if (value == null) {
            return null;
        }
        String v = value.trim();
        int comma = v.indexOf(',');
        if (comma >= 0) {
            v = v.substring(0, comma).trim();
        }
        try {
            return v.contains(".") ? (long) Math.ceil(Double.parseDouble(v)) : Long.parseLong(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
