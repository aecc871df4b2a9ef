package dev.pacer.campaign;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A message text with placeholders, filled in per recipient:
 * <ul>
 * <li>{@code {{field}}}: the recipient's value; a recipient without one (or with a blank one) is
 *     {@code INVALID};</li>
 * <li>{@code {{field|default}}}: the default when the recipient has no value or a blank one
 *     ({@code Hi {{first_name|there}}});</li>
 * <li>{@code {{field|}}}: optional, nothing when missing.</li>
 * </ul>
 * A field is letters, digits, {@code _ . -}. Anything else between {@code {{ }}}, or a {@code {{}
 * or {@code }}} that does not pair, is refused when the campaign is checked, naming its position.
 */
public final class Template {

    private static final Pattern BRACES = Pattern.compile("\\{\\{(.*?)}}", Pattern.DOTALL);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");

    /** One placeholder: where it is, its field, and its default (null: required). */
    private record Placeholder(int start, int end, String field, String fallback) {
    }

    private final String text;
    private final List<Placeholder> placeholders;

    private Template(String text, List<Placeholder> placeholders) {
        this.text = text;
        this.placeholders = placeholders;
    }

    /**
     * Reads a text's placeholders.
     *
     * @throws IllegalArgumentException naming the first thing that looks like a placeholder and is
     *                                  not one, with its position (from 1)
     */
    public static Template parse(String text) {
        List<Placeholder> found = new ArrayList<>();
        Matcher m = BRACES.matcher(text);
        int from = 0;
        while (m.find()) {
            unpaired(text, from, m.start());
            String inside = m.group(1);
            int bar = inside.indexOf('|');
            String field = (bar < 0 ? inside : inside.substring(0, bar)).trim();
            if (!NAME.matcher(field).matches()) {
                throw new IllegalArgumentException("'" + m.group() + "' at position " + (m.start() + 1) + " is not a placeholder: a field "
                        + "is letters, digits, _ . - (write {{field}}, {{field|default}} or {{field|}})");
            }
            found.add(new Placeholder(m.start(), m.end(), field, bar < 0 ? null : inside.substring(bar + 1).trim()));
            from = m.end();
        }
        unpaired(text, from, text.length());
        return new Template(text, List.copyOf(found));
    }

    /** Refuses a {@code {{} or {@code }}} between two placeholders. */
    private static void unpaired(String text, int from, int to) {
        String between = text.substring(from, to);
        int open = between.indexOf("{{");
        int close = between.indexOf("}}");
        if (open >= 0 || close >= 0) {
            int at = open >= 0 && (close < 0 || open < close) ? open : close;
            throw new IllegalArgumentException("'" + between.substring(at, at + 2) + "' at position " + (from + at + 1)
                    + " does not pair: a placeholder is {{field}}");
        }
    }

    public String text() {
        return text;
    }

    /** Every field the text names. */
    public Set<String> fields() {
        Set<String> names = new LinkedHashSet<>();
        placeholders.forEach(p -> names.add(p.field()));
        return names;
    }

    /** The fields with no default: a recipient must have a value for each. */
    public Set<String> required() {
        Set<String> names = new LinkedHashSet<>();
        placeholders.stream().filter(p -> p.fallback() == null).forEach(p -> names.add(p.field()));
        return names;
    }

    /**
     * Fills the placeholders from {@code fields}; a blank value counts as missing.
     *
     * @throws IllegalArgumentException naming the first required placeholder that has no value
     */
    public String render(Map<String, String> fields) {
        StringBuilder out = new StringBuilder(text.length() + 32);
        int from = 0;
        for (Placeholder p : placeholders) {
            out.append(text, from, p.start());
            String value = fields.get(p.field());
            if (value == null || value.isBlank()) {
                if (p.fallback() == null) {
                    throw new IllegalArgumentException("no value for placeholder {{" + p.field() + "}}");
                }
                value = p.fallback();
            }
            out.append(value);
            from = p.end();
        }
        return out.append(text, from, text.length()).toString();
    }

    @Override
    public String toString() {
        return text;
    }
}
