package dev.pacer.api;

import dev.pacer.campaign.CampaignRunningException;
import dev.pacer.campaign.InvalidCampaignException;
import org.camunda.bpm.engine.BadUserRequestException;
import org.camunda.bpm.engine.MismatchingMessageCorrelationException;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the server answers for an expected problem, wherever in a cause chain it sits: a refused
 * campaign (400), a campaign whose name runs (409 naming the running instance), two concurrent
 * changes of one instance (409: send it again), a message no instance waits for (400), a bad request
 * the engine named (400). Such an answer
 * is logged as one line; anything else is not a refusal but a fault, left to the usual handling and
 * its stack trace.
 *
 * @param fields the JSON body: {@code type} and {@code message} as the REST API's errors have them,
 *               and what else names the problem
 */
public record Refusal(int status, Map<String, Object> fields) {

    private static final Logger log = LoggerFactory.getLogger(Refusal.class);

    /** What every refused campaign's message starts with, the command line's cue. */
    public static final String CAMPAIGN_REFUSED = "campaign refused: ";

    /** The refusal that {@code failure} or one of its causes is, if any; the most telling cause wins over its wrappers. */
    public static Optional<Refusal> of(Throwable failure) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = failure; t != null && !chain.contains(t) && chain.size() < 20; t = t.getCause()) {
            chain.add(t);
        }
        for (Throwable t : chain) {
            if (t instanceof CampaignRunningException running) {
                return Optional.of(new Refusal(409, body("CampaignRunning", CAMPAIGN_REFUSED + running.getMessage(),
                        "campaign", running.campaign(), "runningInstanceId", running.runningInstanceId())));
            }
            if (t instanceof InvalidCampaignException invalid) {
                // in the words of the step that refused it ("campaign refused: ...", "message refused: ..."),
                // as Camunda would have answered that BadUserRequestException had the start not wrapped it
                String message = chain.stream().limit(chain.indexOf(t)).filter(BadUserRequestException.class::isInstance)
                        .reduce((outer, inner) -> inner).map(Throwable::getMessage).orElse(CAMPAIGN_REFUSED + invalid.getMessage());
                return Optional.of(new Refusal(400, body("BadUserRequestException", message)));
            }
            if (t instanceof OptimisticLockingException) {
                return Optional.of(new Refusal(409, body("OptimisticLockingException", "the instance was changed at the same time by "
                        + "another request or one of its own jobs (optimistic locking); nothing was changed: send the request again")));
            }
            if (t instanceof MismatchingMessageCorrelationException mismatch) {
                return Optional.of(new Refusal(400, body("MismatchingMessageCorrelationException", mismatch.getMessage())));
            }
        }
        return chain.stream().filter(BadUserRequestException.class::isInstance).findFirst()
                .map(bad -> new Refusal(400, body("BadUserRequestException", bad.getMessage())));
    }

    public String type() {
        return (String) fields.get("type");
    }

    public String message() {
        return (String) fields.get("message");
    }

    /** The one line an expected problem is worth in the log. */
    public void log(String method, String path) {
        log.info("{} {} refused ({}): {}", method, path, status, message());
    }

    private static Map<String, Object> body(String type, String message, Object... more) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type);
        body.put("message", message);
        for (int i = 0; i + 1 < more.length; i += 2) {
            body.put((String) more[i], more[i + 1]);
        }
        return body;
    }
}
