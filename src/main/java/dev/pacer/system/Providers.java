package dev.pacer.system;

import dev.pacer.provider.BandwidthSimulator;
import dev.pacer.throttle.Pacer;
import dev.pacer.throttle.ScopeLimit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The configured provider accounts, each with its pacing scope registered. A provider without a
 * base URL is served by the built-in simulator on a loopback port.
 */
public class Providers implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Providers.class);

    private final Map<String, ProviderEndpoint> endpoints = new LinkedHashMap<>();
    private final Map<String, BandwidthSimulator> simulators = new LinkedHashMap<>();
    private final Pacer pacer;

    Providers(PacerProperties properties, Pacer pacer, Clock clock) {
        this.pacer = pacer;
        properties.providers().forEach((name, p) -> {
            if (!"bandwidth".equals(name)) {
                throw new IllegalStateException("pacer.providers." + name + ": no route for this provider (supported: bandwidth)");
            }
            String username = p.username();
            String password = p.password();
            String baseUrl = p.baseUrl();
            if (baseUrl == null || baseUrl.isBlank()) {
                if (username == null || password == null) {
                    username = "pacer";
                    byte[] secret = new byte[16];
                    new SecureRandom().nextBytes(secret);
                    password = HexFormat.of().formatHex(secret);
                }
                PacerProperties.Simulator sim = properties.simulator();
                try {
                    BandwidthSimulator simulator = new BandwidthSimulator(sim.toSettings(p.accountId(), username, password),
                            clock, new SplittableRandom());
                    simulators.put(name, simulator);
                    baseUrl = simulator.baseUrl().toString();
                    log.info("No base-url for provider '{}': started the built-in Bandwidth simulator at {} ({} segments/min, queue {})",
                            name, baseUrl, sim.segmentsPerMinute(), sim.queueCapacity());
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot start the built-in simulator", e);
                }
            } else if (username == null || password == null) {
                throw new IllegalStateException("pacer.providers." + name + ": username and password are required with a base-url "
                        + "(set PACER_PROVIDERS_" + name.toUpperCase() + "_USERNAME and _PASSWORD)");
            }
            String auth = "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
            if (!List.of("account", "user", "sender").contains(p.rateLimitHeaders())) {
                throw new IllegalStateException("pacer.providers." + name + ".rate-limit-headers must be account, user or sender, got '"
                        + p.rateLimitHeaders() + "'");
            }
            String scope = name + ":" + p.accountId();
            pacer.register(p.burst() > 0 ? new ScopeLimit(scope, ScopeLimit.Unit.SEGMENTS, p.segmentsPerMinute(), p.burst(), p.maxInFlight())
                    : ScopeLimit.of(scope, p.segmentsPerMinute(), p.maxInFlight()));
            String userScope = scope + ":user";
            pacer.register(p.user().toLimit(userScope, p.maxInFlight()));
            endpoints.put(name, new ProviderEndpoint(name, scope, userScope, p.sender(), p.maxInFlight(), p.rateLimitHeaders(),
                    baseUrl.replaceAll("/+$", ""), p.accountId(), p.applicationId(), auth));
        });
    }

    public ProviderEndpoint endpoint(String provider) {
        ProviderEndpoint e = endpoints.get(provider);
        if (e == null) {
            throw new IllegalArgumentException("provider '" + provider + "' is not configured");
        }
        return e;
    }

    /**
     * The scopes a send from {@code from} is paced in, always in the same order (account, user,
     * sender, campaign) so that in-flight places are taken in one order by every send.
     *
     * @param campaign the campaign's own cap, or null
     */
    public List<String> scopes(String provider, String from, ScopeLimit campaign) {
        ProviderEndpoint e = endpoint(provider);
        List<String> scopes = new ArrayList<>(4);
        scopes.add(e.scope());
        scopes.add(e.userScope());
        if (e.sendersLimited()) {
            String sender = e.senderScope(from);
            pacer.ensure(e.sender().toLimit(sender, e.maxInFlight()));
            scopes.add(sender);
        }
        if (campaign != null) {
            pacer.ensure(campaign);
            scopes.add(campaign.scope());
        }
        return scopes;
    }

    /** The scope of one of a provider's layers ({@code account}, {@code user}, {@code sender}) for a send from {@code from}. */
    public String scopeOf(String provider, String layer, String from) {
        ProviderEndpoint e = endpoint(provider);
        return switch (layer == null ? "account" : layer) {
            case "user" -> e.userScope();
            case "sender" -> e.sendersLimited() ? e.senderScope(from) : e.scope();
            default -> e.scope();
        };
    }

    public java.util.Set<String> names() {
        return endpoints.keySet();
    }

    public Optional<BandwidthSimulator> simulator(String provider) {
        return Optional.ofNullable(simulators.get(provider));
    }

    @Override
    public void close() {
        simulators.values().forEach(BandwidthSimulator::close);
    }
}
