package dev.pacer.system;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import picocli.CommandLine;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Pacer's entry point: the {@code pacer} command line ({@code run}, {@code serve}, {@code report}). */
@SpringBootApplication(scanBasePackages = {"dev.pacer.system", "dev.pacer.web"})
public class PacerApplication {

    public static void main(String[] args) {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        if (System.getProperty("pacer.home") == null) {
            System.setProperty("pacer.home", home().toString());
        }
        int code = new CommandLine(new PacerCommand()).setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, command, parsed) -> {
                    // a setting Pacer cannot start with (a bad suppression file, an unknown property
                    // value): its reason in one line, not a stack trace
                    Throwable root = e;
                    while (root.getCause() != null && root.getCause() != root) {
                        root = root.getCause();
                    }
                    System.err.println("pacer " + command.getCommandName() + ": " + root.getMessage());
                    return 1;
                }).execute(args);
        System.exit(code);
    }

    /**
     * The folder holding {@code bpmn/} and {@code routes/}: {@code PACER_HOME}, else the nearest folder
     * above the jar (or the classes) that has both, else the working directory. This is what lets
     * {@code java -jar} work from anywhere.
     */
    static Path home() {
        String env = System.getenv("PACER_HOME");
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath().normalize();
        }
        try {
            String location = PacerApplication.class.getProtectionDomain().getCodeSource().getLocation().toURI().getSchemeSpecificPart();
            // inside the executable jar the location reads "nested:/path/pacer.jar/!BOOT-INF/classes/!/"
            location = location.substring(Math.max(0, location.indexOf('/')));
            int jar = location.indexOf(".jar");
            Path start = Path.of(jar >= 0 ? location.substring(0, jar + 4) : location).toAbsolutePath();
            for (Path p = start; p != null; p = p.getParent()) {
                if (Files.isDirectory(p.resolve("bpmn")) && Files.isDirectory(p.resolve("routes"))) {
                    return p;
                }
            }
        } catch (URISyntaxException | RuntimeException e) {
            // fall through to the working directory
        }
        return Path.of("").toAbsolutePath();
    }
}
