package dev.pacer.provider;

import dev.pacer.provider.bandwidth.BandwidthApi;
import dev.pacer.retry.WaitBounds;
import dev.pacer.throttle.Adaptation;
import dev.pacer.throttle.Pacer;
import dev.pacer.throttle.PacerSettings;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The provider accounts: each reached through its type's API, and the simulator only when asked for. */
class ProvidersTest {

    private static final List<ProviderApi> APIS = List.of(new BandwidthApi(new WaitBounds(Duration.ZERO, Duration.ofMinutes(15)),
            Duration.ofSeconds(1)));
    private final Pacer pacer = new Pacer(Clock.systemUTC(), new PacerSettings(Duration.ofSeconds(2), Duration.ZERO, Adaptation.off()),
            new SplittableRandom(1));

    private static ProviderProperties account(String type, String baseUrl, String username) {
        return ProviderProperties.of(type, baseUrl, "acct", "app", username, username == null ? null : "secret", 600, 0, 8,
                ProviderProperties.Layer.none(), ProviderProperties.Layer.none(), "user");
    }

    private static SimulatorProperties simulator(boolean enabled) {
        SimulatorProperties p = SimulatorProperties.wellBehaved(600, 60);
        return new SimulatorProperties(enabled, null, p.segmentsPerMinute(), p.queueCapacity(), p.retryAfter(), p.retryAfterFactor(),
                p.statesRate(), p.clockSkew(), p.serverErrorRate(), p.latency(), p.userLimit(), p.userWindow(), p.lockout(), p.cooldown(),
                p.concurrency(), p.tokenLifetime(), p.inconsistentRetryAfter(), p.receipts());
    }

    @Test
    void shouldRefuseAnAccountWithNoBaseUrlUnlessTheSimulatorIsOn() {
        assertThatThrownBy(() -> new Providers(Map.of("bandwidth", account(null, null, null)), APIS, simulator(false), pacer,
                Clock.systemUTC()))
                .isInstanceOf(InvalidAccountException.class)
                .hasMessageContaining("pacer.providers.bandwidth has no base-url")
                .hasMessageContaining("pacer.providers.bandwidth.base-url")
                .hasMessageContaining("--pacer.simulator.enabled=true");
    }

    @Test
    void shouldStandTheSimulatorInWhenAskedAndSayTheAccountIsSimulated() {
        try (Providers providers = new Providers(Map.of("bandwidth", account(null, " ", null)), APIS, simulator(true), pacer,
                Clock.systemUTC())) {
            ProviderAccount a = providers.account("bandwidth");
            assertThat(a.simulated()).isTrue();
            assertThat(a.baseUrl()).startsWith("http://127.0.0.1:");
            assertThat(providers.simulator("bandwidth")).isPresent();
            assertThat(a.settings().username()).as("credentials of its own for the simulator").isNotBlank();
            assertThat(a.toString()).doesNotContain(a.settings().password());
        }
    }

    @Test
    void shouldReachARealBaseUrlWithoutTheSimulatorEvenWhenItIsOn() {
        try (Providers providers = new Providers(Map.of("bandwidth", account(null, "https://messaging.example/", "u")), APIS,
                simulator(true), pacer, Clock.systemUTC())) {
            assertThat(providers.account("bandwidth").simulated()).isFalse();
            assertThat(providers.account("bandwidth").baseUrl()).isEqualTo("https://messaging.example");
            assertThat(providers.simulator("bandwidth")).isEmpty();
        }
    }

    @Test
    void shouldNeedNoBaseUrlOnANodeThatOnlyReadsHistory() {
        try (Providers providers = new Providers(Map.of("bandwidth", account(null, null, null)), APIS, simulator(false), pacer,
                Clock.systemUTC(), false)) {
            assertThat(providers.names()).containsExactly("bandwidth");
            assertThat(providers.simulator("bandwidth")).isEmpty();
        }
    }

    @Test
    void shouldNameTheTypeOfAnAccountAndRefuseAnUnknownOne() {
        try (Providers providers = new Providers(Map.of("brand-a", account("bandwidth", "https://messaging.example", "u")), APIS,
                simulator(false), pacer, Clock.systemUTC())) {
            assertThat(providers.account("brand-a").type()).isEqualTo("bandwidth");
            assertThat(providers.api(providers.account("brand-a"))).isInstanceOf(BandwidthApi.class);
        }
        assertThatThrownBy(() -> new Providers(Map.of("acme", account(null, "https://x.example", "u")), APIS, simulator(false), pacer,
                Clock.systemUTC())).hasMessageContaining("pacer.providers.acme: name a provider type with pacer.providers.acme.type")
                .hasMessageContaining("known: bandwidth");
        assertThatThrownBy(() -> new Providers(Map.of("acme", account("sinch", "https://x.example", "u")), APIS, simulator(false), pacer,
                Clock.systemUTC())).hasMessageContaining("pacer.providers.acme.type: 'sinch' is not a provider");
    }

    @Test
    void shouldRefuseABandwidthAccountWithoutCredentials() {
        assertThatThrownBy(() -> new Providers(Map.of("bandwidth", account(null, "https://messaging.example", null)), APIS,
                simulator(false), pacer, Clock.systemUTC()))
                .hasMessageContaining("pacer.providers.bandwidth: username and password are required");
    }
}
