package dev.pacer.api;

import dev.pacer.campaign.InvalidCampaignException;
import jakarta.servlet.http.HttpServletRequest;
import org.camunda.bpm.engine.BadUserRequestException;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Pacer's own endpoints ({@code /api}) answer an expected problem their handlers did not catch as a
 * {@link Refusal} ({@code error} holding its message, as their other answers do), in one log line;
 * anything else stays a fault with its trace.
 */
@RestControllerAdvice(basePackages = "dev.pacer")
class ApiRefusals {

    @ExceptionHandler({InvalidCampaignException.class, OptimisticLockingException.class, BadUserRequestException.class})
    ResponseEntity<Map<String, Object>> refused(Exception e, HttpServletRequest request) throws Exception {
        Refusal refusal = Refusal.of(e).orElseThrow(() -> e);
        refusal.log(request.getMethod(), request.getRequestURI());
        Map<String, Object> body = new LinkedHashMap<>(refusal.fields());
        body.put("error", refusal.message());
        return ResponseEntity.status(refusal.status()).contentType(MediaType.APPLICATION_JSON).body(body);
    }
}
