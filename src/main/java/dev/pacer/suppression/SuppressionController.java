package dev.pacer.suppression;

import dev.pacer.security.BasicAuthenticationFilter;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Map;

/**
 * The suppression list over HTTP ({@code /api/suppression}, behind the same logins as the rest of
 * {@code /api}): list it, add a number with a reason, take one off, and read every change to it
 * (when, why, and by whom: the user, or the provider account a reply or receipt came through).
 */
@RestController
@RequestMapping("/api/suppression")
public class SuppressionController {

    /** A number to add, and why. */
    public record Addition(String number, String reason) {
    }

    private final SuppressionList list;

    public SuppressionController(SuppressionList list) {
        this.list = list;
    }

    @GetMapping
    public List<SuppressionList.Entry> list(@RequestParam(defaultValue = "0") int offset, @RequestParam(defaultValue = "1000") int limit) {
        return list.list(Math.max(0, offset), Math.max(1, Math.min(limit, 10_000)));
    }

    @GetMapping("/changes")
    public List<SuppressionList.Change> changes(@RequestParam(required = false) String number) {
        return list.changes(number);
    }

    @PostMapping
    public ResponseEntity<Map<String, Object>> add(@RequestBody Addition addition, HttpServletRequest request) {
        if (addition == null || addition.number() == null || addition.reason() == null || addition.reason().isBlank()) {
            return ResponseEntity.badRequest().body(Map.of("error", "give the number and the reason: {\"number\": \"+1...\", \"reason\": \"...\"}"));
        }
        try {
            boolean added = list.add(addition.number(), addition.reason(), user(request));
            return ResponseEntity.status(added ? 201 : 200).body(Map.of("number", addition.number(), "added", added));
        } catch (IllegalArgumentException e) {
            return ResponseEntity.badRequest().body(Map.of("error", e.getMessage()));
        }
    }

    @DeleteMapping("/{number}")
    public ResponseEntity<Map<String, Object>> remove(@PathVariable String number, @RequestParam String reason, HttpServletRequest request) {
        boolean removed = list.remove(number, reason, user(request));
        return ResponseEntity.status(removed ? 200 : 404).body(Map.of("number", number, "removed", removed));
    }

    private static String user(HttpServletRequest request) {
        Object user = request.getAttribute(BasicAuthenticationFilter.USER);
        return user == null ? "api" : user.toString();
    }
}
