package dev.pacer.system;

import org.apache.ibatis.builder.xml.XMLConfigBuilder;
import org.apache.ibatis.session.Configuration;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.util.ReflectUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * Camunda's MyBatis mappings, parsed on a thread of their own while Spring starts. The parse is
 * half of what the JVM's main thread runs before the REST API answers (1.5 to 2 s on 2 cores), and
 * it needs nothing but the database's type and the tables' prefix, which the settings give before
 * the engine is built. The engine ({@link PacerEngineConfiguration}) takes the result when it was
 * parsed for the database it found, and parses the mappings itself otherwise.
 */
public final class EarlyMappings {

    private static final Logger log = LoggerFactory.getLogger(EarlyMappings.class);

    /** What a parse depends on: Camunda's name of the database type, and the tables' prefix. */
    public record Key(String databaseType, String tablePrefix) {

        /** The key for the database {@code jdbcUrl} names, when it is H2 or PostgreSQL. */
        public static Optional<Key> of(String jdbcUrl, String tablePrefix) {
            String type = jdbcUrl == null ? null : jdbcUrl.startsWith("jdbc:h2:") ? "h2"
                    : jdbcUrl.startsWith("jdbc:postgresql:") ? "postgres" : null;
            return Optional.ofNullable(type).map(t -> new Key(t, tablePrefix == null ? "" : tablePrefix));
        }
    }

    private record Parse(CompletableFuture<Optional<Key>> key, CompletableFuture<Configuration> configuration) {
    }

    private static volatile Parse started;

    private EarlyMappings() {
    }

    /**
     * Starts the parse on a thread of its own, for the database {@code key} finds there (from the
     * settings, which take a moment to read too); when it finds none, the engine parses as it
     * always does.
     */
    public static void start(Supplier<Optional<Key>> key) {
        CompletableFuture<Optional<Key>> found = new CompletableFuture<>();
        CompletableFuture<Configuration> parse = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                Optional<Key> k = key.get();
                found.complete(k);
                parse.complete(k.map(EarlyMappings::parse).orElse(null));
            } catch (RuntimeException | Error e) {
                found.complete(Optional.empty());
                parse.completeExceptionally(e);
            }
        }, "pacer-early-mappings");
        t.setDaemon(true);
        t.start();
        started = new Parse(found, parse);
    }

    /** The mappings as {@link ProcessEngineConfigurationImpl#initSqlSessionFactory} parses them, without its environment. */
    static Configuration parse(Key key) {
        try (InputStream in = ReflectUtil.getResourceAsStream(ProcessEngineConfigurationImpl.DEFAULT_MYBATIS_MAPPING_FILE);
             Reader reader = new InputStreamReader(in)) {
            Properties properties = new Properties();
            properties.put("prefix", key.tablePrefix());
            ProcessEngineConfigurationImpl.initSqlSessionFactoryProperties(properties, key.tablePrefix(), key.databaseType());
            return new XMLConfigBuilder(reader, "", properties).parse();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The mappings parsed early for {@code key}, waiting for the parse to end; null when none was
     * started, or for another database, or when it failed. Taken once.
     */
    static Configuration take(Key key) {
        Parse parse = started;
        started = null;
        if (parse == null) {
            return null;
        }
        try {
            return parse.key().get().filter(key::equals).isPresent() ? parse.configuration().get() : null;
        } catch (ExecutionException e) {
            log.debug("the early parse of the engine's mappings failed; the engine parses them itself", e.getCause());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
