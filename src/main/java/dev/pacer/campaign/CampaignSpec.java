package dev.pacer.campaign;

import dev.pacer.flow.OnDoubt;
import dev.pacer.sms.PhoneNumbers;
import dev.pacer.sms.SendWindow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.pacer.throttle.Priority;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.Iterator;
import java.util.Set;

/**
 * A campaign as its file (or the {@code campaign} process variable) describes it, checked whole:
 * every problem is reported by field name before anything is sent.
 *
 * @param recipients      the inline recipients, or null when they come from {@code recipientsFile}
 * @param recipientsFile  the CSV file, resolved against the campaign file's folder, or null
 * @param maxRate         the campaign's own cap in segments per minute, under the provider's limits, or null
 * @param sendWindow      the hours, in each recipient's local time, in which messages may be sent, or null
 * @param onDoubt         what a message whose send is in doubt does when the provider cannot tell
 *                        ({@code skip} or {@code resend}), or null for the server's default
 * @param fallbackProvider the account a message goes through, once, when {@code provider} certainly did not take it
 *                        (no connection, an outage, its circuit open after repeated server errors), or null
 */
public record CampaignSpec(String name, String provider, String from, Template text, JsonNode recipients,
                           Path recipientsFile, Priority priority, Duration ttl, Instant deadline, Integer maxRate,
                           SendWindow sendWindow, OnDoubt onDoubt, String fallbackProvider) {

    /** A key given twice is refused, not quietly overwritten by the last. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final Set<String> FIELDS = Set.of("name", "provider", "from", "text", "recipients",
            "recipientsFile", "priority", "ttl", "deadline", "maxRate", "sendWindow", "onDoubt", "fallbackProvider");
    static final int MAX_TEXT = 2048;

    /**
     * Reads and checks a campaign.
     *
     * @param baseDir   the folder {@code recipientsFile} is read from, and must lie in; null for none
     * @param providers the providers that are configured
     * @param now       the time a {@code deadline} must lie after
     */
    public static CampaignSpec parse(String json, Path baseDir, Collection<String> providers, Instant now) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidCampaignException("campaign is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidCampaignException("campaign must be a JSON object");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                throw new InvalidCampaignException("unknown field '" + field + "' (known: name, provider, from, text, "
                        + "recipients, recipientsFile, priority, ttl, deadline, maxRate, sendWindow, onDoubt, fallbackProvider)");
            }
        }
        String name = required(root, "name");
        if (name.length() > 200) {
            throw new InvalidCampaignException("name must be at most 200 characters");
        }
        String provider = required(root, "provider");
        if (!providers.contains(provider)) {
            throw new InvalidCampaignException("provider '" + provider + "' is not configured (configured: "
                    + String.join(", ", providers) + ")");
        }
        String fallback = optional(root, "fallbackProvider");
        if (fallback != null && !providers.contains(fallback)) {
            throw new InvalidCampaignException("fallbackProvider '" + fallback + "' is not configured (configured: "
                    + String.join(", ", providers) + ")");
        }
        if (provider.equals(fallback)) {
            throw new InvalidCampaignException("fallbackProvider must be another account than provider '" + provider + "'");
        }
        String from = required(root, "from");
        PhoneNumbers.problem(from).ifPresent(p -> {
            throw new InvalidCampaignException("from: " + p);
        });
        String text = required(root, "text");
        if (text.length() > MAX_TEXT) {
            throw new InvalidCampaignException("text must be at most " + MAX_TEXT + " characters, got " + text.length());
        }
        JsonNode recipients = root.get("recipients");
        String file = optional(root, "recipientsFile");
        if ((recipients == null) == (file == null)) {
            throw new InvalidCampaignException("give exactly one of 'recipients' (a list) and 'recipientsFile' (a CSV path)");
        }
        Path recipientsFile = null;
        if (recipients != null) {
            if (!recipients.isArray() || recipients.isEmpty()) {
                throw new InvalidCampaignException("recipients must be a non-empty list of objects with a 'to' field");
            }
        } else {
            recipientsFile = inside(baseDir, file);
        }
        Priority priority;
        try {
            priority = Priority.parse(optional(root, "priority"));
        } catch (IllegalArgumentException e) {
            throw new InvalidCampaignException(e.getMessage());
        }
        String ttlText = optional(root, "ttl");
        String deadlineText = optional(root, "deadline");
        if (ttlText != null && deadlineText != null) {
            throw new InvalidCampaignException("give at most one of 'ttl' and 'deadline'");
        }
        Duration ttl = null;
        Instant deadline = null;
        if (ttlText != null) {
            try {
                ttl = Duration.parse(ttlText);
            } catch (DateTimeParseException e) {
                throw new InvalidCampaignException("ttl: '" + ttlText + "' is not an ISO-8601 duration such as PT2H");
            }
            if (ttl.isNegative() || ttl.isZero()) {
                throw new InvalidCampaignException("ttl must be positive, got " + ttlText);
            }
        }
        if (deadlineText != null) {
            try {
                deadline = Instant.parse(deadlineText);
            } catch (DateTimeParseException e) {
                throw new InvalidCampaignException("deadline: '" + deadlineText + "' is not an ISO-8601 instant such as 2030-01-01T18:00:00Z");
            }
            if (!deadline.isAfter(now)) {
                throw new InvalidCampaignException("deadline " + deadlineText + " is already past");
            }
        }
        Integer maxRate = null;
        JsonNode rate = root.get("maxRate");
        if (rate != null && !rate.isNull()) {
            if (!rate.canConvertToInt() || !rate.isIntegralNumber() || rate.asInt() < 1) {
                throw new InvalidCampaignException("maxRate must be a whole number of segments per minute, at least 1, got " + rate);
            }
            maxRate = rate.asInt();
        }
        String window = optional(root, "sendWindow");
        OnDoubt onDoubt = null;
        String onDoubtText = optional(root, "onDoubt");
        if (onDoubtText != null) {
            try {
                onDoubt = OnDoubt.parse(onDoubtText);
            } catch (IllegalArgumentException e) {
                throw new InvalidCampaignException(e.getMessage());
            }
        }
        Template template;
        try {
            template = Template.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidCampaignException("text: " + e.getMessage());
        }
        return new CampaignSpec(name, provider, from, template, recipients, recipientsFile, priority, ttl, deadline, maxRate,
                window == null ? null : SendWindow.parse(window), onDoubt, fallback);
    }

    /**
     * The recipients' file, which must lie inside the campaign's folder: a campaign names its own
     * audience, never another of the server's files (links followed).
     */
    private static Path inside(Path baseDir, String file) {
        if (baseDir == null) {
            throw new InvalidCampaignException("recipientsFile: a campaign started through the process API reads its recipients' "
                    + "file only from the audience folder (pacer.audience-dir), which this server does not have; give 'recipients' instead");
        }
        Path base = baseDir.toAbsolutePath().normalize();
        Path path = base.resolve(file).normalize();
        if (!path.startsWith(base)) {
            throw new InvalidCampaignException("recipientsFile: '" + file + "' is outside the campaign's folder " + base);
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new InvalidCampaignException("recipientsFile: cannot read " + path);
        }
        try {
            if (!path.toRealPath().startsWith(base.toRealPath())) {
                throw new InvalidCampaignException("recipientsFile: '" + file + "' leads outside the campaign's folder " + base);
            }
        } catch (java.io.IOException e) {
            throw new InvalidCampaignException("recipientsFile: cannot read " + path + ": " + e.getMessage(), e);
        }
        return path;
    }

    /** The deadline of every message of a campaign started at {@code start}, or null. */
    public Instant deadlineFor(Instant start) {
        return ttl != null ? start.plus(ttl) : deadline;
    }

    private static String required(JsonNode root, String field) {
        String value = optional(root, field);
        if (value == null || value.isBlank()) {
            throw new InvalidCampaignException("missing field '" + field + "'");
        }
        return value;
    }

    private static String optional(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new InvalidCampaignException(field + " must be a string");
        }
        return node.asText();
    }
}
