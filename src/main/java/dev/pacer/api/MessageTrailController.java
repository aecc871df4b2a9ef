package dev.pacer.api;

import dev.pacer.audit.MessageTrail;
import dev.pacer.audit.TrailReader;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.Map;

/**
 * One message's trail by whatever names it ({@code pacer trail MESSAGE}): its business key (a
 * campaign's {@code <id>/<row>}, or the key it was submitted with) or its instance id. A query
 * parameter, not a path segment: a business key has a slash, which the server refuses encoded in a path.
 */
@RestController
public class MessageTrailController {

    private final TrailReader trails;

    public MessageTrailController(TrailReader trails) {
        this.trails = trails;
    }

    @GetMapping(value = "/api/messages/trail", produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<?> trail(@RequestParam String message) {
        return trails.findMessage(message).flatMap(trails::read).<ResponseEntity<?>>map(ResponseEntity::ok)
                .orElseGet(() -> ResponseEntity.status(404).contentType(MediaType.APPLICATION_JSON)
                        .body(Map.of("error", "no message with the business key or instance id '" + message + "' in the history tables")));
    }
}
