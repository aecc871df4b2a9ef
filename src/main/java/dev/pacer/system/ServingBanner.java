package dev.pacer.system;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/** {@code pacer serve} says where it serves, once it does: the REST API, Cockpit, the audit and the metrics. */
@Component
@ConditionalOnWebApplication
class ServingBanner {

    private static final Logger log = LoggerFactory.getLogger(ServingBanner.class);

    private final Environment environment;

    ServingBanner(Environment environment) {
        this.environment = environment;
    }

    @EventListener
    public void ready(WebServerInitializedEvent event) {
        String base = "http://" + environment.getProperty("server.address", "127.0.0.1") + ":" + event.getWebServer().getPort();
        log.info("Pacer serves at {}: the REST API {}/engine-rest, Cockpit {}/camunda, the audit {}/api, the metrics {}/actuator/prometheus "
                + "(logins: PACER_ADMIN_USER with PACER_ADMIN_PASSWORD)", base, base, base, base, base);
    }
}
