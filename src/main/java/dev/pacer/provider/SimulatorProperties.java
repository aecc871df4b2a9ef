package dev.pacer.provider;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The built-in simulator ({@code pacer.simulator.*}): off unless {@code enabled}, then it stands
 * in for every provider account with no {@code base-url}, on a loopback port. Its settings can make
 * it a hostile provider; a named {@code scenario} sets them all but the rate and queue capacity.
 *
 * @param segmentsPerMinute the true drain rate of the account queue
 * @param queueCapacity     segments the queue holds before it answers 429
 * @param retryAfterFactor  the told wait as a share of the true one (0.5 understates, 3 overstates)
 * @param statesRate        whether the 429 body states the allowed rate and queue capacity, as Bandwidth's does
 * @param clockSkew         how far the simulator's own clock (its {@code Date} and HTTP-dates) is off
 * @param serverErrorRate   share of requests answered 500 at random
 * @param latency           how long it takes to answer
 * @param userLimit         requests one API user may make per {@code userWindow} (fixed windows), 0 for none;
 *                          when set every response reports the window in {@code X-RateLimit-*} headers
 * @param lockout           how long the account is locked after a request inside a told wait, zero for never
 * @param cooldown          how long a full queue refuses everything once it has answered 429 (at least
 *                          until there is room); the wait it tells is this times {@code retryAfterFactor}.
 *                          Only with a {@code Retry-After}: a cooldown nobody is told of cannot be kept
 * @param concurrency       requests the account takes at once before it answers 429 (Twilio's 20429), 0 for no limit
 * @param tokenLifetime     how long an OAuth token it issues lives (Genesys Cloud's {@code expires_in})
 * @param inconsistentRetryAfter whether its 429s tell waits that disagree (Genesys Cloud behind its regional load
 *                          balancers): the header sometimes missing, sometimes shorter or longer than the body's wait
 * @param receipts          the delivery receipts it posts to {@code serve}'s {@code /callbacks/NAME} (Bandwidth's and
 *                          Twilio's), when receipts are on
 * @param replies           the replies from recipients it posts there (STOP), when receipts are on
 */
public record SimulatorProperties(@DefaultValue("false") boolean enabled,
                                  SimulatorScenario scenario,
                                  @Min(1) @DefaultValue("600") int segmentsPerMinute,
                                  @Min(1) @DefaultValue("60") int queueCapacity,
                                  @NotNull @DefaultValue("NONE") RetryAfterMode retryAfter,
                                  @DecimalMin("0.01") @DefaultValue("1.0") double retryAfterFactor,
                                  @DefaultValue("true") boolean statesRate,
                                  @NotNull @DefaultValue("PT0S") Duration clockSkew,
                                  @DecimalMin("0.0") @DecimalMax("1.0") @DefaultValue("0.0") double serverErrorRate,
                                  @NotNull @DefaultValue("PT0S") Duration latency,
                                  @Min(0) @DefaultValue("0") int userLimit,
                                  @NotNull @DefaultValue("PT1S") Duration userWindow,
                                  @NotNull @DefaultValue("PT0S") Duration lockout,
                                  @NotNull @DefaultValue("PT0S") Duration cooldown,
                                  @Min(0) @DefaultValue("0") int concurrency,
                                  @NotNull @DefaultValue("PT24H") Duration tokenLifetime,
                                  @DefaultValue("false") boolean inconsistentRetryAfter,
                                  @Valid @NotNull @DefaultValue Receipts receipts,
                                  @Valid @NotNull @DefaultValue Replies replies) {

    @ConstructorBinding
    public SimulatorProperties {
    }

    /** These settings with no replies. */
    public SimulatorProperties(boolean enabled, SimulatorScenario scenario, int segmentsPerMinute, int queueCapacity, RetryAfterMode retryAfter,
                               double retryAfterFactor, boolean statesRate, Duration clockSkew, double serverErrorRate, Duration latency,
                               int userLimit, Duration userWindow, Duration lockout, Duration cooldown, int concurrency,
                               Duration tokenLifetime, boolean inconsistentRetryAfter, Receipts receipts) {
        this(enabled, scenario, segmentsPerMinute, queueCapacity, retryAfter, retryAfterFactor, statesRate, clockSkew, serverErrorRate, latency,
                userLimit, userWindow, lockout, cooldown, concurrency, tokenLifetime, inconsistentRetryAfter, receipts, Replies.none());
    }

    /**
     * The receipts a simulator posts: each message it takes is delivered after {@code delay}, unless
     * filtered as spam ({@code filteredRate}: Bandwidth 4470, Twilio 30007) or over the day's
     * {@code dailyCap} (Bandwidth 4780, Twilio 30023; 0 for none); {@code duplicateRate} of the
     * receipts are posted twice.
     */
    public record Receipts(@DefaultValue("false") boolean enabled,
                           @NotNull @DefaultValue("PT1S") Duration delay,
                           @DecimalMin("0.0") @DecimalMax("1.0") @DefaultValue("0.0") double duplicateRate,
                           @DecimalMin("0.0") @DecimalMax("1.0") @DefaultValue("0.0") double filteredRate,
                           @Min(0) @DefaultValue("0") int dailyCap) {

        public static Receipts none() {
            return new Receipts(false, Duration.ofSeconds(1), 0, 0, 0);
        }
    }

    /**
     * The replies a simulator plays from recipients: each number in {@code stopNumbers}, and
     * {@code stopRate} of the other recipients, answers STOP to the first message delivered to it,
     * {@code delay} after the message was taken (Bandwidth's {@code message-received}, Twilio's
     * incoming-message webhook). None by default.
     */
    public record Replies(@DecimalMin("0.0") @DecimalMax("1.0") @DefaultValue("0.0") double stopRate,
                          @NotNull @DefaultValue List<@Pattern(regexp = "\\+[1-9][0-9]{6,14}", message = "must be an E.164 number") String> stopNumbers,
                          @NotNull @DefaultValue("PT2S") Duration delay) {

        public Replies {
            stopNumbers = stopNumbers == null ? List.of() : List.copyOf(stopNumbers);
        }

        public static Replies none() {
            return new Replies(0, List.of(), Duration.ofSeconds(2));
        }

        /** Whether any recipient answers. */
        public boolean any() {
            return stopRate > 0 || !stopNumbers.isEmpty();
        }

        /** Whether {@code recipient} answers STOP (a draw of {@code random} for one not named, when the share is set). */
        public boolean answersStop(String recipient, RandomGenerator random) {
            return stopNumbers.contains(recipient) || (stopRate > 0 && random.nextDouble() < stopRate);
        }
    }


    /** A well-behaved provider: the queue states its rate, no per-user limit, no lockout. */
    public static SimulatorProperties wellBehaved(int segmentsPerMinute, int queueCapacity) {
        return new SimulatorProperties(true, null, segmentsPerMinute, queueCapacity, RetryAfterMode.NONE, 1, true, Duration.ZERO, 0,
                Duration.ZERO, 0, Duration.ofSeconds(1), Duration.ZERO, Duration.ZERO, 0, Duration.ofHours(24), false, Receipts.none(),
                Replies.none());
    }

    /** These settings, or when a scenario is named, that scenario at this rate and queue capacity. */
    public SimulatorProperties resolved() {
        return scenario == null ? this : scenario.settings(segmentsPerMinute, queueCapacity)
                .with(concurrency, tokenLifetime, inconsistentRetryAfter).withReceipts(receipts).withReplies(replies);
    }

    /** These settings with the given concurrency limit, token lifetime and Retry-After consistency. */
    public SimulatorProperties with(int concurrency, Duration tokenLifetime, boolean inconsistentRetryAfter) {
        return new SimulatorProperties(enabled, scenario, segmentsPerMinute, queueCapacity, retryAfter, retryAfterFactor, statesRate,
                clockSkew, serverErrorRate, latency, userLimit, userWindow, lockout, cooldown, concurrency, tokenLifetime, inconsistentRetryAfter,
                receipts, replies);
    }

    /** These settings with the given replies. */
    public SimulatorProperties withReplies(Replies replies) {
        return new SimulatorProperties(enabled, scenario, segmentsPerMinute, queueCapacity, retryAfter, retryAfterFactor, statesRate,
                clockSkew, serverErrorRate, latency, userLimit, userWindow, lockout, cooldown, concurrency, tokenLifetime, inconsistentRetryAfter,
                receipts, replies);
    }

    /** These settings with the given receipts. */
    public SimulatorProperties withReceipts(Receipts receipts) {
        return new SimulatorProperties(enabled, scenario, segmentsPerMinute, queueCapacity, retryAfter, retryAfterFactor, statesRate,
                clockSkew, serverErrorRate, latency, userLimit, userWindow, lockout, cooldown, concurrency, tokenLifetime, inconsistentRetryAfter,
                receipts, replies);
    }
}
