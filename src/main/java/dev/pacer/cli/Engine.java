package dev.pacer.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.pacer.system.EarlyMappings;
import dev.pacer.system.PacerApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.util.ArrayList;
import java.util.List;

/** How a command starts Pacer: the engine, Camel and (for {@code serve}) the web server, in this JVM. */
public final class Engine {

    /** Without a web server the REST API and Cockpit have nothing to run in, so they are left out. */
    public static final String NO_WEB = "org.camunda.bpm.spring.boot.starter.webapp.CamundaBpmWebappAutoConfiguration,"
            + "org.camunda.bpm.spring.boot.starter.rest.CamundaBpmRestJerseyAutoConfiguration";

    private Engine() {
    }

    public static ConfigurableApplicationContext start(boolean web, List<String> springArgs) {
        // Camunda's MyBatis mappings, parsed on another core while Spring starts (EarlyMappings)
        EarlyMappings.start(() -> {
            LocalSettings settings = LocalSettings.load(springArgs);
            return EarlyMappings.Key.of(settings.property("spring.datasource.url"), settings.property("camunda.bpm.database.table-prefix"));
        });
        SpringApplicationBuilder builder = new SpringApplicationBuilder(PacerApplication.class)
                .web(web ? WebApplicationType.SERVLET : WebApplicationType.NONE);
        if (!web) {
            builder.properties("spring.autoconfigure.exclude=" + NO_WEB);
        }
        return builder.run(springArgs.toArray(String[]::new));
    }

    /**
     * Reading history needs the engine without its job executor (no flow moves on while the report
     * is read) and sends nothing, so the provider accounts need no base-url.
     */
    public static List<String> historyOnly(List<String> springArgs) {
        List<String> args = new ArrayList<>(springArgs);
        args.add("--camunda.bpm.job-execution.enabled=false");
        args.add("--pacer.history-only=true");
        return args;
    }

    /** The built-in simulator on, for {@code --simulator}. */
    static List<String> simulator(boolean on, List<String> springArgs) {
        if (!on) {
            return springArgs;
        }
        List<String> args = new ArrayList<>(springArgs);
        args.add("--pacer.simulator.enabled=true");
        return args;
    }

    /** The JSON writer of reports and trails: the application's, indented. */
    static ObjectMapper json(ConfigurableApplicationContext context) {
        return context.getBean(ObjectMapper.class).copy().enable(SerializationFeature.INDENT_OUTPUT);
    }
}
