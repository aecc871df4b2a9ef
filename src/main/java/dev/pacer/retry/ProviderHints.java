package dev.pacer.retry;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Extracts pacing hints that some providers put only in the body of a 429 response, where no
 * {@code Retry-After} header carries them. The formats are prose, so parsing is deliberately
 * tolerant and simply yields nothing when the text does not match.
 */
public final class ProviderHints {

    /**
     * The sending rate and queue size Bandwidth reports for an account.
     *
     * @param messagesPerMinute allowed sending rate, at least 1
     * @param capacity          queue capacity in messages, 0 when not reported
     */
    public record QueueLimit(int messagesPerMinute, int capacity) {

        public QueueLimit {
            if (messagesPerMinute < 1) {
                throw new IllegalArgumentException("messagesPerMinute must be >= 1, was " + messagesPerMinute);
            }
            if (capacity < 0) {
                throw new IllegalArgumentException("capacity must be >= 0, was " + capacity);
            }
        }
    }

    private static final Pattern JSON_DESCRIPTION =
            Pattern.compile("\"description\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern BANDWIDTH_RATE =
            Pattern.compile("(\\d+)\\s+messages?\\s+per\\s+minute", Pattern.CASE_INSENSITIVE);
    private static final Pattern BANDWIDTH_CAPACITY =
            Pattern.compile("capacity\\s+of\\s+this\\s+queue\\s+is\\s+(\\d+)\\s+messages?", Pattern.CASE_INSENSITIVE);
    private static final Pattern GENESYS_RETRY =
            Pattern.compile("retry\\s+the\\s+request\\s+in\\s+\\[?\\s*(\\d+)\\s*]?\\s+seconds?", Pattern.CASE_INSENSITIVE);

    private ProviderHints() {
    }

    /**
     * Reads the allowed rate and queue capacity from Bandwidth's
     * {@code max-message-queue-size-exceeded} body.
     *
     * @return the limit, or empty if the body has no description stating a rate
     */
    public static Optional<QueueLimit> bandwidthQueueLimit(String body) {
        if (body == null) {
            return Optional.empty();
        }
        Matcher description = JSON_DESCRIPTION.matcher(body);
        if (!description.find()) {
            return Optional.empty();
        }
        String text = description.group(1);
        Optional<Integer> rate = firstInt(BANDWIDTH_RATE, text).filter(r -> r >= 1);
        if (rate.isEmpty()) {
            return Optional.empty();
        }
        int capacity = firstInt(BANDWIDTH_CAPACITY, text).orElse(0);
        return Optional.of(new QueueLimit(rate.get(), capacity));
    }

    /**
     * Reads the wait from Genesys Cloud's {@code too.many.requests.retry.after} body, whose
     * message reads "Retry the request in [42] seconds".
     *
     * @return the wait, or empty if the body does not state one
     */
    public static Optional<Duration> genesysRetrySeconds(String body) {
        if (body == null) {
            return Optional.empty();
        }
        Matcher m = GENESYS_RETRY.matcher(body);
        return m.find() ? Optional.of(RetryAfter.seconds(m.group(1))) : Optional.empty();
    }

    private static Optional<Integer> firstInt(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        if (!m.find()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Integer.parseInt(m.group(1)));
        } catch (NumberFormatException tooLarge) {
            return Optional.empty();
        }
    }
}
