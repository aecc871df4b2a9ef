package dev.pacer.sms;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberToTimeZonesMapper;
import com.google.i18n.phonenumbers.PhoneNumberUtil;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/** The time zones a number may be in, from libphonenumber's prefix-to-time-zone data. */
public final class TimeZones {

    private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();
    private static final PhoneNumberToTimeZonesMapper MAPPER = PhoneNumberToTimeZonesMapper.getInstance();

    private TimeZones() {
    }

    /**
     * The zones of {@code number} (E.164), or empty when its prefix maps to none known to libphonenumber
     * (the caller then needs a zone given for the recipient).
     */
    public static List<ZoneId> of(String number) {
        List<String> names;
        try {
            names = MAPPER.getTimeZonesForNumber(UTIL.parse(number, null));
        } catch (NumberParseException e) {
            return List.of();
        }
        List<ZoneId> zones = new ArrayList<>();
        for (String name : names) {
            if (PhoneNumberToTimeZonesMapper.getUnknownTimeZone().equals(name)) {
                continue;
            }
            try {
                zones.add(ZoneId.of(name));
            } catch (DateTimeException e) {
                // a name this JDK's zone data does not know: skip it
            }
        }
        return zones;
    }
}
