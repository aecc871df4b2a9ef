package dev.pacer.sms;

import dev.pacer.campaign.InvalidCampaignException;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hours of the day, in the recipient's local time, in which a message may be sent, such as
 * {@code 08:00-21:00}; a window whose end is before its start runs over midnight. A number whose
 * prefix spans several time zones is sent only when the window is open in all of them.
 */
public record SendWindow(LocalTime start, LocalTime end) {

    private static final Pattern FORM = Pattern.compile("(\\d{2}:\\d{2})-(\\d{2}:\\d{2})");

    public SendWindow {
        if (start.equals(end)) {
            throw new InvalidCampaignException("sendWindow: start and end are the same (" + start + "); leave the window out to send at any hour");
        }
    }

    /** Reads {@code HH:mm-HH:mm}. */
    public static SendWindow parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new InvalidCampaignException("sendWindow: '" + text + "' is not of the form HH:mm-HH:mm, such as 08:00-21:00");
        }
        try {
            return new SendWindow(LocalTime.parse(m.group(1)), LocalTime.parse(m.group(2)));
        } catch (DateTimeParseException e) {
            throw new InvalidCampaignException("sendWindow: '" + text + "' names a time of day that does not exist");
        }
    }

    /** Reads an IANA time-zone name given for a recipient. */
    public static ZoneId zone(String name) {
        try {
            return ZoneId.of(name.trim());
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("timezone '" + name + "' is not an IANA time-zone name such as America/Chicago");
        }
    }

    public boolean isOpen(Instant at, ZoneId zone) {
        LocalTime t = at.atZone(zone).toLocalTime();
        return start.isBefore(end) ? !t.isBefore(start) && t.isBefore(end) : !t.isBefore(start) || t.isBefore(end);
    }

    public boolean isOpen(Instant at, List<ZoneId> zones) {
        return zones.stream().allMatch(z -> isOpen(at, z));
    }

    /** The first instant at or after {@code from} at which the window is open in every zone. */
    public Instant nextOpening(Instant from, List<ZoneId> zones) {
        Instant t = from;
        // Each round moves t to the next opening in a zone where the window is shut; zones that
        // never share an open instant (the window is shorter than their offset) are refused.
        for (int round = 0; round < 8 * zones.size() + 2; round++) {
            ZoneId shut = null;
            for (ZoneId z : zones) {
                if (!isOpen(t, z)) {
                    shut = z;
                    break;
                }
            }
            if (shut == null) {
                return t;
            }
            t = opening(t, shut);
        }
        throw new IllegalArgumentException("the send window " + this + " is never open in all of " + zones + " at once");
    }

    /** The instant the window closes next, in the first zone to close, after {@code at} (where it is open). */
    public Instant closing(Instant at, List<ZoneId> zones) {
        Instant first = null;
        for (ZoneId z : zones) {
            ZonedDateTime local = at.atZone(z);
            ZonedDateTime close = local.with(end);
            if (!close.isAfter(local)) {
                close = local.plusDays(1).with(end);
            }
            Instant c = close.toInstant();
            first = first == null || c.isBefore(first) ? c : first;
        }
        return first;
    }

    private Instant opening(Instant from, ZoneId zone) {
        ZonedDateTime local = from.atZone(zone);
        ZonedDateTime open = local.with(start);
        if (!open.isAfter(local)) {
            open = local.plusDays(1).with(start);
        }
        return open.toInstant();
    }

    @Override
    public String toString() {
        return start + "-" + end;
    }
}
