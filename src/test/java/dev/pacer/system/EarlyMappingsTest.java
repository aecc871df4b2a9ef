package dev.pacer.system;

import dev.pacer.testkit.PacerEngine;
import org.apache.ibatis.mapping.MappedStatement;
import org.apache.ibatis.mapping.ResultMap;
import org.apache.ibatis.session.Configuration;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's MyBatis mappings parsed early are those the engine parses itself for the same
 * database, statement by statement; the engine takes them only for the database it finds.
 */
class EarlyMappingsTest {

    @RegisterExtension
    static PacerEngine engine = new PacerEngine();

    @Test
    void shouldParseTheMappingsTheEngineParsesForTheSameDatabase() {
        ProcessEngineConfigurationImpl camunda = (ProcessEngineConfigurationImpl) engine.getProcessEngine().getProcessEngineConfiguration();
        assertThat(camunda.getDatabaseType()).isEqualTo("h2");
        Configuration theirs = camunda.getSqlSessionFactory().getConfiguration();

        Configuration ours = EarlyMappings.parse(new EarlyMappings.Key("h2", camunda.getDatabaseTablePrefix()));

        assertThat(statements(ours)).hasSizeGreaterThan(500).isEqualTo(statements(theirs));
        assertThat(resultMaps(ours)).isEqualTo(resultMaps(theirs));
        assertThat(ours.getTypeAliasRegistry().getTypeAliases()).isEqualTo(theirs.getTypeAliasRegistry().getTypeAliases());
    }

    @Test
    void shouldParseForPostgresqlOtherwiseThanForH2() {
        Map<String, String> postgres = statements(EarlyMappings.parse(new EarlyMappings.Key("postgres", "")));
        Map<String, String> h2 = statements(EarlyMappings.parse(new EarlyMappings.Key("h2", "")));
        assertThat(postgres.keySet()).isEqualTo(h2.keySet());
        assertThat(postgres).as("the database's own SQL where it differs").isNotEqualTo(h2);
    }

    @Test
    void shouldGiveTheMappingsOnlyForTheDatabaseTheyWereParsedForAndOnlyOnce() {
        assertThat(EarlyMappings.Key.of("jdbc:h2:file:./data/pacer;WRITE_DELAY=0", null)).contains(new EarlyMappings.Key("h2", ""));
        assertThat(EarlyMappings.Key.of("jdbc:postgresql://127.0.0.1:5432/pacer", "")).contains(new EarlyMappings.Key("postgres", ""));
        assertThat(EarlyMappings.Key.of("jdbc:oracle:thin:@db:1521/pacer", "")).isEmpty();

        EarlyMappings.start(() -> EarlyMappings.Key.of("jdbc:h2:mem:x", ""));
        assertThat(EarlyMappings.take(new EarlyMappings.Key("postgres", ""))).as("parsed for another database").isNull();
        assertThat(EarlyMappings.take(new EarlyMappings.Key("h2", ""))).as("taken already").isNull();

        EarlyMappings.start(() -> EarlyMappings.Key.of("jdbc:h2:mem:x", ""));
        assertThat(EarlyMappings.take(new EarlyMappings.Key("h2", ""))).isNotNull();

        EarlyMappings.start(() -> Optional.empty());
        assertThat(EarlyMappings.take(new EarlyMappings.Key("h2", ""))).as("no database the settings name").isNull();
        EarlyMappings.start(() -> {
            throw new IllegalStateException("unreadable settings");
        });
        assertThat(EarlyMappings.take(new EarlyMappings.Key("h2", ""))).as("a failed parse: the engine parses itself").isNull();
    }

    /** Each statement by id: its SQL as written, with the database's snippets filled in. */
    private static Map<String, String> statements(Configuration configuration) {
        return EarlyMappingsTest.<MappedStatement>unique(configuration.getMappedStatements()).stream().collect(Collectors.toMap(MappedStatement::getId,
                s -> s.getSqlSource().getClass().getSimpleName() + ": " + sql(s), (a, b) -> a, TreeMap::new));
    }

    private static Map<String, String> resultMaps(Configuration configuration) {
        return EarlyMappingsTest.<ResultMap>unique(configuration.getResultMaps()).stream().collect(Collectors.toMap(ResultMap::getId,
                m -> m.getType() + " " + m.getResultMappings().size(), (a, b) -> a, TreeMap::new));
    }

    /** MyBatis keeps each entry under its short name too, and an ambiguous name's placeholder: the real entries once. */
    private static <T> Collection<T> unique(Collection<?> entries) {
        @SuppressWarnings("unchecked")
        Collection<T> real = (Collection<T>) entries.stream().filter(e -> e instanceof MappedStatement || e instanceof ResultMap)
                .distinct().toList();
        return real;
    }

    /** The statement's SQL: the static text for a static one, the parsed tree's text for a dynamic one. */
    private static String sql(MappedStatement statement) {
        try {
            return statement.getBoundSql(null).getSql().replaceAll("\\s+", " ");
        } catch (RuntimeException dynamic) {
            // a dynamic statement needs its parameters: its source's structure stands for it
            return String.valueOf(statement.getSqlSource()).replaceAll("@[0-9a-f]+", "");
        }
    }
}
