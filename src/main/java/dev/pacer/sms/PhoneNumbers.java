package dev.pacer.sms;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;

import java.util.Optional;
import java.util.regex.Pattern;

/** E.164 checks backed by libphonenumber's metadata, so a well-formed but unassigned number is caught too. */
public final class PhoneNumbers {

    private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{6,14}");
    private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();

    private PhoneNumbers() {
    }

    /** Why {@code number} is not a valid E.164 number, or empty when it is. */
    public static Optional<String> problem(String number) {
        if (number == null || number.isBlank()) {
            return Optional.of("no number");
        }
        if (!E164.matcher(number).matches()) {
            return Optional.of("'" + number + "' is not in E.164 form (+ and 7 to 15 digits)");
        }
        try {
            if (!UTIL.isValidNumber(UTIL.parse(number, null))) {
                return Optional.of("'" + number + "' is not a valid number for its country");
            }
        } catch (NumberParseException e) {
            return Optional.of("'" + number + "' cannot be read: " + e.getMessage());
        }
        return Optional.empty();
    }
}
