package dev.pacer.cli;

import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.StandardEnvironment;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The settings a server started here would have (application.yaml, config files, {@code PACER_*}
 * and {@code SERVER_*} environment variables, {@code --name=value} arguments), read the way Spring
 * Boot reads them but without starting anything: where the local server listens, the administrator's
 * login, the provider accounts a campaign may name.
 */
final class LocalSettings {

    private final ConfigurableEnvironment env;

    private LocalSettings(ConfigurableEnvironment env) {
        this.env = env;
    }

    /** @param springArgs the {@code --name=value} arguments a command did not know */
    static LocalSettings load(List<String> springArgs) {
        StandardEnvironment env = new StandardEnvironment();
        String[] options = springArgs.stream().filter(a -> a.startsWith("--")).toArray(String[]::new);
        if (options.length > 0) {
            env.getPropertySources().addFirst(new SimpleCommandLinePropertySource(options));
        }
        ConfigDataEnvironmentPostProcessor.applyTo(env);
        return new LocalSettings(env);
    }

    /** The server {@code pacer serve} would start here: {@code server.address} and {@code server.port}, a wildcard address as loopback. */
    URI server() {
        String address = env.getProperty("server.address", "127.0.0.1").trim();
        if (address.isEmpty() || address.equals("0.0.0.0") || address.equals("::") || address.equals("[::]")) {
            address = "127.0.0.1";
        } else if (address.contains(":") && !address.startsWith("[")) {
            address = "[" + address + "]";
        }
        String scheme = env.getProperty("server.ssl.enabled", Boolean.class, false) ? "https" : "http";
        return URI.create(scheme + "://" + address + ":" + env.getProperty("server.port", Integer.class, 8080));
    }

    /** A setting, or null when it has none. */
    String property(String name) {
        return env.getProperty(name);
    }

    /** The administrator's login, as the server reads it. */
    String adminUser() {
        return env.getProperty("PACER_ADMIN_USER", "admin");
    }

    /** The administrator's password, or null when none is set. */
    String adminPassword() {
        return env.getProperty("PACER_ADMIN_PASSWORD");
    }

    /** The names of the configured provider accounts ({@code pacer.providers.NAME.*}). */
    Set<String> providers() {
        ResolvableType accounts = ResolvableType.forClassWithGenerics(Map.class, ResolvableType.forClass(String.class),
                ResolvableType.forClassWithGenerics(Map.class, String.class, Object.class));
        Map<String, Map<String, Object>> bound = Binder.get(env).bind("pacer.providers", Bindable.<Map<String, Map<String, Object>>>of(accounts))
                .orElse(Map.of());
        return bound.keySet();
    }
}
