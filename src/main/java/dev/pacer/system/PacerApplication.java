package dev.pacer.system;

import dev.pacer.cli.PacerCommand;

import org.springframework.boot.autoconfigure.SpringBootApplication;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Pacer's entry point: the {@code pacer} command line ({@code run}, {@code serve}, {@code report}). */
@SpringBootApplication(scanBasePackages = "dev.pacer")
public class PacerApplication {

    public static void main(String[] args) {
        prepare();
        System.exit(PacerCommand.commandLine(args).execute(args));
    }

    /** What every {@code pacer} JVM sets before a command runs: where {@code bpmn/} and {@code routes/} are. */
    public static void prepare() {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        if (System.getProperty("pacer.home") == null) {
            System.setProperty("pacer.home", home().toString());
        }
    }

    /** This node's name in a cluster: its host and process, {@code host:pid}. */
    public static String nodeName() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "localhost";
        }
        return host + ":" + ProcessHandle.current().pid();
    }

    /**
     * The folder holding {@code bpmn/} and {@code routes/}: {@code PACER_HOME}, else the nearest folder
     * above the jar (or the classes) that has both, else the working directory. This is what lets
     * {@code java -jar} work from anywhere.
     */
    public static Path home() {
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
