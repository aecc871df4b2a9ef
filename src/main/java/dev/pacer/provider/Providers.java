package dev.pacer.provider;

import dev.pacer.throttle.Pacer;
import dev.pacer.throttle.ScopeLimit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The configured provider accounts, each with its API and its pacing scopes registered. An account
 * without a base URL is refused, unless the built-in simulator is on: then it stands in for it on a
 * loopback port, and every campaign through it says so.
 */
public class Providers implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Providers.class);
    private static final Set<String> LAYERS = Set.of("account", "user", "sender");

    private final Map<String, ProviderAccount> accounts = new LinkedHashMap<>();
    private final Map<String, ProviderApi> apis;
    private final Map<String, ProviderSimulator> simulators = new LinkedHashMap<>();
    private final Pacer pacer;

    public Providers(Map<String, ProviderProperties> configured, List<ProviderApi> apis, SimulatorProperties simulator, Pacer pacer,
                     Clock clock) {
        this(configured, apis, simulator, pacer, clock, true);
    }

    /**
     * @param sending false for a node that only reads history ({@code pacer report}, {@code pacer trail}):
     *                its accounts need no base-url, and no simulator is started for them
     */
    public Providers(Map<String, ProviderProperties> configured, List<ProviderApi> apis, SimulatorProperties simulator, Pacer pacer,
                     Clock clock, boolean sending) {
        this.pacer = pacer;
        this.apis = apis.stream().collect(Collectors.toMap(ProviderApi::type, Function.identity()));
        try {
            configured.forEach((name, p) -> add(name, p, simulator, clock, sending));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void add(String name, ProviderProperties p, SimulatorProperties simulator, Clock clock, boolean sending) {
        String prefix = "pacer.providers." + name;
        String type = p.type() == null || p.type().isBlank() ? name : p.type();
        ProviderApi api = apis.get(type);
        if (api == null) {
            throw new InvalidAccountException(prefix + (p.type() == null ? ": name a provider type with " + prefix + ".type" : ".type: '" + type
                    + "' is not a provider") + " (known: " + String.join(", ", new TreeSet<>(apis.keySet())) + ")");
        }
        if (!LAYERS.contains(p.rateLimitHeaders())) {
            throw new InvalidAccountException(prefix + ".rate-limit-headers must be account, user or sender, got '" + p.rateLimitHeaders() + "'");
        }
        boolean simulated = p.baseUrl() == null || p.baseUrl().isBlank();
        if (!sending) {
            register(new ProviderAccount(name, type, simulated ? null : p.baseUrl(), p, simulated, api.accountId(p), api.senderQueues(), api.postsReceipts()), api);
            return;
        }
        if (simulated && !simulator.enabled()) {
            throw new InvalidAccountException(prefix + " has no base-url: set " + prefix + ".base-url (and its credentials) to send through "
                    + type + ", or turn the built-in simulator on with --pacer.simulator.enabled=true (pacer run --simulator) "
                    + "to send to it instead; nothing then reaches a recipient");
        }
        if (simulated) {
            byte[] secret = new byte[16];
            new SecureRandom().nextBytes(secret);
            p = p.withMissingCredentials(HexFormat.of().formatHex(secret));
            ProviderAccount stand = new ProviderAccount(name, type, null, p, true, api.accountId(p), api.senderQueues(), api.postsReceipts());
            try {
                ProviderSimulator sim = api.simulate(stand, simulator.resolved(), clock);
                simulators.put(name, sim);
                p = p.withBaseUrl(sim.baseUrl().toString(), sim.baseUrl().toString());
                log.warn("SIMULATED: provider account '{}' has no base-url; the built-in {} simulator at {} stands in for it "
                        + "({} segments/min, queue {}): nothing sent through it reaches a recipient", name, type, sim.baseUrl(),
                        simulator.segmentsPerMinute(), simulator.queueCapacity());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the built-in simulator for " + prefix, e);
            }
        }
        ProviderAccount account = new ProviderAccount(name, type, p.baseUrl().replaceAll("/+$", ""), p, simulated, api.accountId(p),
                api.senderQueues(), api.postsReceipts());
        api.check(account);
        register(account, api);
    }

    private void register(ProviderAccount account, ProviderApi api) {
        ProviderProperties p = account.settings();
        int perMinute = p.perMinute(api.accountUnit());
        pacer.register(new ScopeLimit(account.scope(), api.accountUnit(), perMinute,
                p.burst() > 0 ? p.burst() : ScopeLimit.secondsWorth(perMinute), p.maxInFlight()));
        pacer.register(p.user().toLimit(account.userScope(), p.maxInFlight()));
        accounts.put(account.name(), account);
    }

    /** The account named {@code name}; an unknown name is refused, naming those configured. */
    public ProviderAccount account(String name) {
        ProviderAccount a = accounts.get(name);
        if (a == null) {
            throw new IllegalArgumentException("provider '" + name + "' is not configured (configured: " + String.join(", ", names()) + ")");
        }
        return a;
    }

    /** The API an account is reached through. */
    public ProviderApi api(ProviderAccount account) {
        return apis.get(account.type());
    }

    /**
     * The scopes a send from {@code from} is paced in, always in the same order (account, user,
     * sender, campaign) so that in-flight places are taken in one order by every send.
     *
     * @param campaign the campaign's own cap, or null
     */
    public List<String> scopes(String provider, String from, ScopeLimit campaign) {
        ProviderAccount a = account(provider);
        List<String> scopes = new ArrayList<>(4);
        scopes.add(a.scope());
        scopes.add(a.userScope());
        if (a.sendersLimited()) {
            String sender = a.senderScope(from);
            pacer.ensure(a.settings().sender().toLimit(sender, a.maxInFlight()));
            scopes.add(sender);
        }
        if (campaign != null) {
            pacer.ensure(campaign);
            scopes.add(campaign.scope());
        }
        return scopes;
    }

    public Set<String> names() {
        return accounts.keySet();
    }

    public Optional<ProviderSimulator> simulator(String provider) {
        return Optional.ofNullable(simulators.get(provider));
    }

    @Override
    public void close() {
        simulators.values().forEach(ProviderSimulator::close);
    }
}
