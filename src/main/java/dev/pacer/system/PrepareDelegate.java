package dev.pacer.system;

import dev.pacer.campaign.InvalidCampaignException;
import dev.pacer.campaign.PhoneNumbers;
import dev.pacer.campaign.SendWindow;
import dev.pacer.campaign.TimeZones;
import dev.pacer.throttle.Priority;
import dev.pacer.throttle.Segments;
import org.camunda.bpm.engine.BadUserRequestException;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

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

    private final Providers providers;
    private final SuppressionList suppression;
    private final Clock clock;
    private final Duration maxLifetime;

    PrepareDelegate(Providers providers, SuppressionList suppression, Clock clock, Duration maxLifetime) {
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
        Instant now = clock.instant();
        String provider = text(execution, Vars.PROVIDER);
        if (provider == null && providers.names().size() == 1) {
            provider = providers.names().iterator().next();
            execution.setVariable(Vars.PROVIDER, provider);
        }
        if (provider == null || !providers.names().contains(provider)) {
            throw new InvalidCampaignException("provider: '" + provider + "' is not configured (configured: "
                    + String.join(", ", providers.names()) + ")");
        }
        String from = text(execution, Vars.FROM);
        if (from == null) {
            throw new InvalidCampaignException("missing variable 'from' (the sender number)");
        }
        PhoneNumbers.problem(from).ifPresent(p -> {
            throw new InvalidCampaignException("from: " + p);
        });
        boolean single = execution.getVariable(Vars.CAMPAIGN_ID) == null;
        Priority priority;
        try {
            String given = text(execution, Vars.PRIORITY);
            // a message submitted on its own is a real-time one unless it says otherwise
            priority = given == null && single ? Priority.REALTIME : Priority.parse(given);
        } catch (IllegalArgumentException e) {
            throw new InvalidCampaignException(e.getMessage());
        }
        execution.setVariable(Vars.PRIORITY, priority.name());
        Instant deadline = deadline(execution, now);
        execution.setVariable(Vars.DEADLINE, deadline == null ? null : Date.from(deadline));
        execution.setVariable(Vars.EXPIRES_AT, Date.from(deadline != null ? deadline : now.plus(maxLifetime)));
        execution.setVariable(Vars.SUBMITTED_AT, Date.from(now));
        SendWindow window = null;
        String windowText = text(execution, Vars.SEND_WINDOW);
        if (windowText != null) {
            window = SendWindow.parse(windowText);
        }
        for (String counter : List.of(Vars.ATTEMPTS, Vars.FAILURES, Vars.RATE_LIMITED)) {
            if (execution.getVariable(counter) == null) {
                execution.setVariable(counter, 0);
            }
        }
        if (Outcome.INVALID.name().equals(execution.getVariable(Vars.OUTCOME))) {
            execution.setVariable(Vars.SEGMENTS, 0);
            return;
        }
        String text = text(execution, Vars.TEXT);
        if (text == null || text.isBlank()) {
            if (single) {
                throw new InvalidCampaignException("missing variable 'text' (the message)");
            }
            end(execution, Outcome.INVALID, "the text is empty");
            return;
        }
        execution.setVariable(Vars.SEGMENTS, Segments.count(text).segments());
        String to = text(execution, Vars.TO);
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
        execution.setVariable(Vars.OUTCOME, Outcome.PENDING.name());
    }

    /** Finds the recipient's time zones (given, or from the number); a problem when there are none the window can use. */
    private static Optional<String> zones(DelegateExecution execution, String to, SendWindow window, Instant now) {
        List<ZoneId> zones;
        String given = text(execution, Vars.TIMEZONE);
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
        execution.setVariable(Vars.TIME_ZONES, zones.stream().map(ZoneId::getId).collect(Collectors.joining(",")));
        return Optional.empty();
    }

    private static Instant deadline(DelegateExecution execution, Instant now) {
        Object deadline = execution.getVariable(Vars.DEADLINE);
        String ttl = text(execution, Vars.TTL);
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

    private static String text(DelegateExecution execution, String name) {
        Object value = execution.getVariable(name);
        return value == null || value.toString().isBlank() ? null : value.toString().trim();
    }

    static void end(DelegateExecution execution, Outcome outcome, String reason) {
        execution.setVariable(Vars.OUTCOME, outcome.name());
        execution.setVariable(Vars.REASON, reason);
    }
}
