package dev.pacer.delivery;

import dev.pacer.flow.StepProperties;
import dev.pacer.flow.ReceiptState;

import dev.pacer.campaign.InvalidCampaignException;
import dev.pacer.flow.OnDoubt;
import dev.pacer.flow.Outcome;
import dev.pacer.flow.Variable;
import dev.pacer.provider.Providers;
import dev.pacer.sms.PhoneNumbers;
import dev.pacer.sms.Segments;
import dev.pacer.sms.SendWindow;
import dev.pacer.sms.TimeZones;
import dev.pacer.suppression.SuppressionList;
import dev.pacer.throttle.Priority;
import org.camunda.bpm.engine.BadUserRequestException;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.delegate.VariableScope;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import static dev.pacer.flow.MessageVariables.*;

/**
 * The first step of every message, whether a campaign dispatched it or it was submitted on its own
 * through the process API (Camunda REST, Java): checks what was given, fills in what a message
 * needs, and sorts out the messages that must not be sent.
 *
 * <p>A message that cannot be understood at all (no provider, sender or text, an unknown provider,
 * a bad {@code ttl}) is refused: the step runs in the transaction that starts the instance, so the
 * caller gets the error and nothing is stored. A bad recipient number ends {@code INVALID}, a
 * number on the suppression list {@code SUPPRESSED}; both are recorded. Otherwise the message gets
 * its segment count, its deadline ({@code ttl} or {@code deadline}; {@code expiresAt} is the
 * deadline or, without one, the longest a message may live) and, with a send window, the time
 * zones of its recipient.
 */
public class PrepareDelegate implements JavaDelegate {

    private final DeliverySteps steps;
    private final MessageKeys keys;
    private final Providers providers;
    private final SuppressionList suppression;
    private final Clock clock;
    private final Duration maxLifetime;
    private final DeployedModels models;

    /** @param maxLifetime how long a message with no deadline of its own may wait before it expires */
    public PrepareDelegate(DeliverySteps steps, MessageKeys keys, Providers providers, SuppressionList suppression, Clock clock,
                           Duration maxLifetime, DeployedModels models) {
        this.models = models;
        this.steps = steps;
        this.keys = keys;
        this.providers = providers;
        this.suppression = suppression;
        this.clock = clock;
        this.maxLifetime = maxLifetime;
    }

    @Override
    public void execute(DelegateExecution execution) {
        try {
            prepare(execution);
        } catch (InvalidCampaignException e) {
            // the process API answers 400 with this message, and the instance is not started
            throw new BadUserRequestException("message refused: " + e.getMessage(), e);
        }
    }

    private void prepare(DelegateExecution execution) {
        check(execution, clock.instant(), models.steps(execution.getProcessDefinitionId()));
        if (CAMPAIGN_ID.get(execution) == null) {
            once(execution);
        }
    }

    /**
     * A message on its own is sent once per business key: a second one with the key of a message
     * still within its lifetime is refused, naming the first (checked last, so a message refused for
     * what it is does not take the key).
     */
    private void once(DelegateExecution execution) {
        String key = execution.getProcessBusinessKey();
        if (key != null && !key.isBlank()) {
            keys.take(key, execution.getProcessInstanceId()).ifPresent(first -> {
                throw new InvalidCampaignException("business key '" + key + "' is taken by message " + first
                        + ", submitted before; nothing is sent again (its trail: pacer trail " + key + ")");
            });
        }
    }

    /** The step properties of the latest delivery flow, which a batch's messages follow. */
    public StepProperties latestSteps() {
        return models.latestSteps();
    }

    /**
     * Checks and completes a message's variables ({@code execution}, or those of a message a
     * campaign sends in a batch): refuses what cannot be understood, ends what must not be sent.
     * The accounts the flow's steps name ({@code steps}) replace the message's own.
     */
    public void check(VariableScope execution, Instant now, StepProperties steps) {
        if (steps.provider() != null) {
            PROVIDER.set(execution, steps.provider());
        }
        if (steps.fallbackProvider() != null) {
            FALLBACK_PROVIDER.set(execution, steps.fallbackProvider());
        }
        String provider = text(execution, PROVIDER);
        if (provider == null && providers.names().size() == 1) {
            provider = providers.names().iterator().next();
            PROVIDER.set(execution, provider);
        }
        if (provider == null || !providers.names().contains(provider)) {
            throw new InvalidCampaignException("provider: '" + provider + "' is not configured (configured: "
                    + String.join(", ", providers.names()) + ")");
        }
        String fallback = text(execution, FALLBACK_PROVIDER);
        if (fallback != null && (!providers.names().contains(fallback) || fallback.equals(provider))) {
            throw new InvalidCampaignException("fallbackProvider: '" + fallback + "' is " + (fallback.equals(provider)
                    ? "the provider itself" : "not configured (configured: " + String.join(", ", providers.names()) + ")"));
        }
        String from = text(execution, FROM);
        if (from == null) {
            throw new InvalidCampaignException("missing variable 'from' (the sender number)");
        }
        PhoneNumbers.problem(from).ifPresent(p -> {
            throw new InvalidCampaignException("from: " + p);
        });
        boolean single = CAMPAIGN_ID.get(execution) == null;

        Priority priority;
        try {
            priority = MessageLane.priority(text(execution, PRIORITY), single);
        } catch (IllegalArgumentException e) {
            throw new InvalidCampaignException(e.getMessage());
        }
        PRIORITY.set(execution, priority);
        String onDoubt = text(execution, ON_DOUBT);
        if (onDoubt != null) {
            try {
                ON_DOUBT.set(execution, OnDoubt.parse(onDoubt));
            } catch (IllegalArgumentException e) {
                throw new InvalidCampaignException(e.getMessage());
            }
        }
        Instant deadline = deadline(execution, now);
        DEADLINE.set(execution, deadline);
        EXPIRES_AT.set(execution, deadline != null ? deadline : now.plus(maxLifetime));
        SUBMITTED_AT.set(execution, now);
        SendWindow window = null;
        String windowText = text(execution, SEND_WINDOW);
        if (windowText != null) {
            window = SendWindow.parse(windowText);
        }
        RECEIPT.set(execution, ReceiptState.NONE);
        for (Variable<Integer> counter : List.of(ATTEMPTS, FAILURES, RATE_LIMITED)) {
            if (counter.get(execution) == null) {
                counter.set(execution, 0);
            }
        }
        if (OUTCOME.get(execution) == Outcome.INVALID) {
            SEGMENTS.set(execution, 0);
            return;
        }
        String text = text(execution, TEXT);
        if (text == null || text.isBlank()) {
            if (single) {
                throw new InvalidCampaignException("missing variable 'text' (the message)");
            }
            end(execution, Outcome.INVALID, "the text is empty");
            return;
        }
        int segments = Segments.count(text).segments();
        SEGMENTS.set(execution, segments);
        Optional<String> refused = providers.api(providers.account(provider)).refuses(text, segments);
        if (refused.isPresent()) {
            if (single) {
                throw new InvalidCampaignException("text: " + refused.get());
            }
            end(execution, Outcome.INVALID, "the text cannot be sent through " + provider + ": " + refused.get());
            return;
        }
        String to = text(execution, TO);
        Optional<String> problem = PhoneNumbers.problem(to);
        if (problem.isEmpty() && window != null) {
            problem = zones(execution, to, window, now);
        }
        if (problem.isPresent()) {
            end(execution, Outcome.INVALID, "invalid recipient: " + problem.get());
            return;
        }
        if (suppression.contains(to)) {
            end(execution, Outcome.SUPPRESSED, to + " is on the suppression list");
            return;
        }
        OUTCOME.set(execution, Outcome.PENDING);
    }

    /** Finds the recipient's time zones (given, or from the number); a problem when there are none the window can use. */
    private static Optional<String> zones(VariableScope execution, String to, SendWindow window, Instant now) {
        List<ZoneId> zones;
        String given = text(execution, TIMEZONE);
        if (given != null) {
            try {
                zones = List.of(SendWindow.zone(given));
            } catch (IllegalArgumentException e) {
                return Optional.of(e.getMessage());
            }
        } else {
            zones = TimeZones.of(to);
            if (zones.isEmpty()) {
                return Optional.of("no time zone is known for " + to + "; give the recipient a 'timezone'");
            }
        }
        try {
            window.nextOpening(now, zones);
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage() + "; give the recipient a 'timezone'");
        }
        TIME_ZONES.set(execution, zones.stream().map(ZoneId::getId).collect(Collectors.joining(",")));
        return Optional.empty();
    }

    private static Instant deadline(VariableScope execution, Instant now) {
        Object deadline = DEADLINE.raw(execution);
        String ttl = text(execution, TTL);
        if (deadline != null && ttl != null) {
            throw new InvalidCampaignException("give at most one of 'ttl' and 'deadline'");
        }
        if (ttl != null) {
            try {
                Duration d = Duration.parse(ttl);
                if (d.isNegative() || d.isZero()) {
                    throw new InvalidCampaignException("ttl must be positive, got " + ttl);
                }
                return now.plus(d);
            } catch (DateTimeParseException e) {
                throw new InvalidCampaignException("ttl: '" + ttl + "' is not an ISO-8601 duration such as PT5M");
            }
        }
        if (deadline instanceof Date date) {
            return date.toInstant();
        }
        if (deadline != null) {
            try {
                return Instant.parse(deadline.toString());
            } catch (DateTimeParseException e) {
                throw new InvalidCampaignException("deadline: '" + deadline + "' is not an ISO-8601 instant such as 2030-01-01T18:00:00Z");
            }
        }
        return null;
    }

    /** What the caller gave, trimmed; null when blank. */
    private static String text(VariableScope execution, Variable<?> variable) {
        Object value = variable.raw(execution);
        return value == null || value.toString().isBlank() ? null : value.toString().trim();
    }

    private void end(VariableScope execution, Outcome outcome, String reason) {
        steps.end(execution, outcome, reason);
    }
}
