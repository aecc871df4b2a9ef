package dev.pacer.receipt;

import dev.pacer.provider.Callback;
import dev.pacer.provider.ProviderAccount;
import dev.pacer.provider.ProviderApi;
import dev.pacer.provider.ProviderEvent;
import dev.pacer.provider.Providers;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code POST /callbacks/NAME}: receipts and replies from provider account {@code NAME}
 * (Bandwidth's JSON events, Twilio's status callbacks and incoming messages), checked by the
 * account's API (Basic credentials, a signature) before anything changes: a callback that is not
 * the provider's gets 401 or 403. Everything the provider's own gets 2xx, also a receipt for a
 * message Pacer does not know, so that the provider stops posting it.
 */
@RestController
public class CallbackController {

    private static final Logger log = LoggerFactory.getLogger(CallbackController.class);

    private final Providers providers;
    private final Receipts receipts;
    private final Replies replies;
    private final Clock clock;
    private final String publicUrl;

    public CallbackController(Providers providers, Receipts receipts, Replies replies, Clock clock, dev.pacer.system.PacerProperties properties) {
        this.providers = providers;
        this.receipts = receipts;
        this.replies = replies;
        this.clock = clock;
        String url = properties.publicUrl();
        this.publicUrl = url == null || url.isBlank() ? null : url.replaceAll("/+$", "");
    }

    @PostMapping("/callbacks/{name}")
    public ResponseEntity<String> callback(@PathVariable String name, HttpServletRequest request,
                                           @RequestBody(required = false) String body) {
        if (!providers.names().contains(name)) {
            return ResponseEntity.status(404).body("no provider account '" + name + "'\n");
        }
        ProviderAccount account = providers.account(name);
        ProviderApi api = providers.api(account);
        Callback callback = new Callback(publicUrl == null ? null : publicUrl + "/callbacks/" + name, request::getHeader,
                request.getContentType(), body != null && !body.isEmpty() ? body : formOf(request));
        Optional<ProviderApi.CallbackRefusal> refused = api.refusesCallback(account, callback);
        if (refused.isPresent()) {
            log.warn("callback to /callbacks/{} from {} refused: {}", name, request.getRemoteAddr(), refused.get().reason());
            return ResponseEntity.status(refused.get().status()).body(refused.get().reason() + "\n");
        }
        int applied = 0;
        int kept = 0;
        for (ProviderEvent event : api.events(callback, clock.instant())) {
            if (event instanceof ProviderEvent.Receipt r) {
                Receipts.Taken taken = receipts.take(name, r);
                applied += taken == Receipts.Taken.APPLIED ? 1 : 0;
                kept += taken == Receipts.Taken.KEPT ? 1 : 0;
            } else if (event instanceof ProviderEvent.Reply reply) {
                replies.take(account, reply);
            }
        }
        return ResponseEntity.ok("applied " + applied + ", kept " + kept + "\n");
    }

    /** The form a filter read before this controller could (the servlet's parameters), written back as a body. */
    private static String formOf(HttpServletRequest request) {
        return request.getParameterMap().entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue()[0], StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
