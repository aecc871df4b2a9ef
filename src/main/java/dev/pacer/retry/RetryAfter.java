package dev.pacer.retry;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads an HTTP {@code Retry-After} header (RFC 9110, section 10.2.3) into the time to wait
 * before calling a provider again.
 */
public final class RetryAfter {

    private static final Pattern DELAY_SECONDS = Pattern.compile("[0-9]+");

    private static final DateTimeFormatter IMF_FIXDATE =
            strict(new DateTimeFormatterBuilder()
                    .appendPattern("EEE, dd MMM uuuu HH:mm:ss 'GMT'"));

    /** RFC 1123 as some servers (and Java's own RFC_1123_DATE_TIME) write it: a one-digit day. */
    private static final DateTimeFormatter RFC_1123_SHORT_DAY =
            strict(new DateTimeFormatterBuilder()
                    .appendPattern("EEE, d MMM uuuu HH:mm:ss 'GMT'"));

    private static final DateTimeFormatter ASCTIME =
            strict(new DateTimeFormatterBuilder()
                    .appendPattern("EEE MMM ppd HH:mm:ss uuuu"));

    private RetryAfter() {
    }

    /**
     * Returns the wait a {@code Retry-After} value asks for.
     *
     * <p>An HTTP-date is measured against the response's {@code Date} header when it parses,
     * because both timestamps then come from the provider's clock and any skew against ours
     * cancels out; otherwise it is measured against {@code now}. A date in the past yields
     * {@link Duration#ZERO}. Delay-seconds too large for a {@code long} yield
     * {@code Long.MAX_VALUE} seconds, leaving the caller to clamp.
     *
     * @param retryAfter the {@code Retry-After} header value, may be null
     * @param dateHeader the response's {@code Date} header value, may be null
     * @param now        our current time; the reference when {@code dateHeader} is missing or unusable
     * @return the wait, or empty when the header is missing or not understood
     * @throws IllegalArgumentException if {@code now} is null
     */
    public static Optional<Duration> parse(String retryAfter, String dateHeader, Instant now) {
        if (now == null) {
            throw new IllegalArgumentException("now must not be null");
        }
        if (retryAfter == null || retryAfter.isBlank()) {
            return Optional.empty();
        }
        String value = retryAfter.strip();
        if (DELAY_SECONDS.matcher(value).matches()) {
            return Optional.of(seconds(value));
        }
        Optional<Instant> retryAt = httpDate(value, now);
        if (retryAt.isEmpty()) {
            return Optional.empty();
        }
        Instant reference = dateHeader == null ? now : httpDate(dateHeader.strip(), now).orElse(now);
        Duration wait = Duration.between(reference, retryAt.get());
        return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
    }

    /** Parses a string of ASCII digits, saturating instead of overflowing. */
    static Duration seconds(String digits) {
        try {
            return Duration.ofSeconds(Long.parseLong(digits));
        } catch (NumberFormatException tooLarge) {
            return Duration.ofSeconds(Long.MAX_VALUE);
        }
    }

    static Optional<Instant> httpDate(String value, Instant now) {
        for (DateTimeFormatter format : List.of(IMF_FIXDATE, RFC_1123_SHORT_DAY, rfc850(now), ASCTIME)) {
            try {
                return Optional.of(Instant.from(format.parse(value)));
            } catch (DateTimeException notThisFormat) {
                // try the next format
            }
        }
        return Optional.empty();
    }

    /**
     * RFC 850 dates carry a two-digit year; RFC 9110 reads one more than 50 years ahead as the
     * most recent matching year in the past, hence a century window ending 50 years from now.
     */
    private static DateTimeFormatter rfc850(Instant now) {
        int year = now.atZone(ZoneOffset.UTC).getYear();
        return strict(new DateTimeFormatterBuilder()
                .appendPattern("EEEE, dd-MMM-")
                .appendValueReduced(ChronoField.YEAR, 2, 2, year - 49)
                .appendPattern(" HH:mm:ss 'GMT'"));
    }

    private static DateTimeFormatter strict(DateTimeFormatterBuilder builder) {
        return builder.toFormatter(Locale.US)
                .withResolverStyle(ResolverStyle.STRICT)
                .withZone(ZoneOffset.UTC);
    }
}
