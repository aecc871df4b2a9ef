package dev.pacer.campaign;

import java.util.Map;

/** One row of the audience: its 1-based position and its fields ({@code to} and placeholder values). */
public record Recipient(int row, Map<String, String> fields) {

    public String to() {
        String to = fields.get("to");
        return to == null ? null : to.trim();
    }
}
