package dev.pacer.security;

import jakarta.servlet.Filter;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.rest.security.auth.ProcessEngineAuthenticationFilter;
import org.camunda.bpm.engine.rest.security.auth.impl.HttpBasicAuthenticationProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What {@code pacer serve} lets in: requests addressed to the server's own names, logged in with
 * HTTP Basic (the REST API, Pacer's {@code /api}, the metrics; Cockpit has its own login), as users
 * of the engine with Camunda's authorizations on, the administrator applied on every start, and no
 * deployment over HTTP.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
public class SecurityConfiguration {

    @Bean
    FilterRegistrationBean<Filter> hostCheck(@Value("${pacer.server.hosts:127.0.0.1,localhost,[::1]}") String hosts,
                                             @Value("${pacer.public-url:}") String publicUrl) {
        Set<String> names = Arrays.stream(hosts.split(",")).map(h -> h.trim().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty())
                .collect(Collectors.toCollection(LinkedHashSet::new));
        if (!publicUrl.isBlank() && java.net.URI.create(publicUrl).getHost() != null) {
            // the providers' callbacks come to the public address
            names.add(java.net.URI.create(publicUrl).getHost().toLowerCase(Locale.ROOT));
        }
        return filter(new HostCheckFilter(names), Ordered.HIGHEST_PRECEDENCE, "/*");
    }

    @Bean
    FilterRegistrationBean<Filter> restAuthentication() {
        FilterRegistrationBean<Filter> f = filter(new ProcessEngineAuthenticationFilter(), Ordered.HIGHEST_PRECEDENCE + 10, "/engine-rest/*");
        f.addInitParameter("authentication-provider", HttpBasicAuthenticationProvider.class.getName());
        f.addInitParameter("rest-url-pattern-prefix", "/engine-rest");
        return f;
    }

    @Bean
    @ConditionalOnProperty(name = "pacer.rest.deployments", havingValue = "false", matchIfMissing = true)
    FilterRegistrationBean<Filter> noRestDeployments() {
        return filter(new DeploymentRefusalFilter(), Ordered.HIGHEST_PRECEDENCE + 20, "/engine-rest/*");
    }

    @Bean
    FilterRegistrationBean<Filter> restVariables() {
        return filter(new RestVariablesFilter(), Ordered.HIGHEST_PRECEDENCE + 30, "/engine-rest/*");
    }

    @Bean
    FilterRegistrationBean<Filter> apiAuthentication(ProcessEngine engine) {
        return filter(new BasicAuthenticationFilter(engine.getIdentityService()), Ordered.HIGHEST_PRECEDENCE + 10, "/api/*",
                "/actuator/prometheus", "/actuator/metrics/*", "/actuator/metrics");
    }

    /** Once the engine is up: the administrator as configured now, not as it was when the database was made. */
    @Bean
    AdminAccount adminAccount(ProcessEngine engine, @Value("${PACER_ADMIN_USER:admin}") String user,
                              @Value("${PACER_ADMIN_PASSWORD:}") String password, @Value("${pacer.demo:false}") boolean demo) {
        AdminAccount admin = AdminAccount.of(user, password, demo);
        admin.apply(engine.getIdentityService(), engine.getAuthorizationService());
        return admin;
    }

    private static FilterRegistrationBean<Filter> filter(Filter filter, int order, String... urls) {
        FilterRegistrationBean<Filter> f = new FilterRegistrationBean<>(filter);
        f.setOrder(order);
        f.addUrlPatterns(urls);
        return f;
    }
}
