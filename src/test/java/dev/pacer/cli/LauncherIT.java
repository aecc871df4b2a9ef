package dev.pacer.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The launcher the build makes, {@code target/pacer/pacer}: it runs the extracted jar with the class
 * archive made for the short commands, which {@code -Xshare:on} proves usable (the JVM refuses to
 * start when it cannot map it), and its commands behave as {@code java -jar target/pacer.jar}'s;
 * {@code serve}'s engine takes the MyBatis mappings parsed while Spring started.
 */
class LauncherIT {

    private static final Path LAUNCHER = Path.of("target", "pacer", "pacer");

    private record Result(int exit, String out, String err) {
    }

    @Test
    void shouldBeBuiltBesideTheExtractedJarWithItsClassArchive() {
        assertThat(LAUNCHER).isExecutable();
        assertThat(LAUNCHER.resolveSibling("pacer.jar")).isRegularFile();
        assertThat(LAUNCHER.resolveSibling("cli.jsa")).isRegularFile();
        assertThat(LAUNCHER.resolveSibling("serve.jsa")).isRegularFile();
        assertThat(LAUNCHER.resolveSibling("lib")).isDirectoryContaining(p -> p.getFileName().toString().startsWith("camunda-engine-"));
    }

    @Test
    void shouldValidateACampaignOfflineWithTheArchiveMapped() throws Exception {
        Result r = run("validate", "examples/appointment-reminders.json");
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.out).contains("row 50: '202-555-0199' is not in E.164 form").contains("row 51: no value for placeholder {{clinic}}");
    }

    @Test
    void shouldSayInOneLineThatNoServerAnswers() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Result r = run("status", "--server", "http://127.0.0.1:" + closed);
        assertThat(r.exit).isEqualTo(1);
        assertThat(r.err.strip()).isEqualTo("no Pacer server answers at http://127.0.0.1:" + closed
                + " (start one with `pacer serve`, or name another with --server URL)");
    }

    @Test
    void shouldServeWithTheServeArchiveMappedAndTheMappingsParsedEarly(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder(LAUNCHER.toAbsolutePath().toString(), "serve", "--simulator", "--server.address=127.0.0.1",
                "--server.port=" + port, "--logging.level.dev.pacer.system.PacerEngineConfiguration=DEBUG").directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("serve.log").toFile());
        pb.environment().put("PACER_JAVA_OPTS", "-Xshare:on");
        pb.environment().put("PACER_ADMIN_PASSWORD", "launcher-it");
        Process serve = pb.start();
        try {
            ServerClient client = new ServerClient(java.net.URI.create("http://127.0.0.1:" + port), "admin", "launcher-it");
            java.time.Instant until = java.time.Instant.now().plusSeconds(120);
            while (!client.ready()) {
                assertThat(serve.isAlive()).as(Files.readString(dir.resolve("serve.log"))).isTrue();
                assertThat(java.time.Instant.now()).as("ready within 120 s").isBefore(until);
                Thread.sleep(100);
            }
            assertThat(client.getJson("/api/campaigns").isArray()).isTrue();
            assertThat(Files.readString(dir.resolve("serve.log"))).as("the engine's mappings, parsed while Spring started")
                    .contains("the engine takes the mappings parsed while Spring started");
        } finally {
            serve.destroy();
            if (!serve.waitFor(30, TimeUnit.SECONDS)) {
                serve.destroyForcibly();
            }
        }
    }

    private static Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("launcher", ".out");
        Path err = Files.createTempFile("launcher", ".err");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("PACER_JAVA_OPTS", "-Xshare:on");
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not end within 60 s");
        }
        try {
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
