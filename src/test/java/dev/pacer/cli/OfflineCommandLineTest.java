package dev.pacer.cli;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static dev.pacer.cli.ServerCommandLineTest.cli;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The commands that need no server ({@code validate}, the checks {@code submit} makes before it
 * asks one), what the others say of answers a real server gives rarely (played by a small HTTP
 * server), and the fall-back to the local database when no server answers.
 */
class OfflineCommandLineTest {

    private static final String CAMPAIGN = """
            {"name": "offline", "provider": "%s", "from": "+12025550100", "text": "Hi {{name}}", "recipientsFile": "%s"}""";

    @Test
    void shouldValidateAFileOfflineAndListTheRowsThatWouldEndInvalid(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("people.csv"), "to,name\n+12025558401,Ada\n555,Bo\n+12025558402,\n+12025558401,Ada\n");
        Path file = Files.writeString(dir.resolve("c.json"), CAMPAIGN.formatted("bandwidth", "people.csv"));

        var valid = cli(List.of(), "validate", file.toString());

        assertThat(valid.exit()).as(valid.err()).isZero();
        assertThat(valid.out()).isEqualTo("campaign offline in " + file + " is valid: 4 recipients (1 duplicates skipped), provider bandwidth\n"
                + "  2 rows end INVALID (the rest are sent):\n"
                + "  row 2: '555' is not in E.164 form (+ and 7 to 15 digits)\n"
                + "  row 3: no value for placeholder {{name}}\n");
    }

    /** A campaign file the server would refuse, and the line that says why. */
    record Refusal(String provider, String csv, String says) {
    }

    static Stream<Refusal> refusals() {
        return Stream.of(
                new Refusal("nope", "to,name\n+12025558401,Ada\n", "provider 'nope' is not configured (configured: bandwidth)"),
                new Refusal("bandwidth", "number,name\n+12025558401,Ada\n", "recipientsFile: the CSV header has no 'to' column"),
                new Refusal("bandwidth", "to,name\n+12025558401,\n", "text: placeholder {{name}} has a value for no recipient"),
                new Refusal("bandwidth", null, "recipientsFile: cannot read "));
    }

    @ParameterizedTest
    @MethodSource("refusals")
    void shouldRefuseAnInvalidFileInOneLineWithExitTwo(Refusal refusal, @TempDir Path dir) throws Exception {
        if (refusal.csv() != null) {
            Files.writeString(dir.resolve("people.csv"), refusal.csv());
        }
        Path file = Files.writeString(dir.resolve("c.json"), CAMPAIGN.formatted(refusal.provider(), "people.csv"));

        var result = cli(List.of(), "validate", file.toString());

        assertThat(result.exit()).isEqualTo(PacerCommand.INVALID);
        assertThat(result.err()).startsWith("invalid campaign " + file + ": ").contains(refusal.says()).hasLineCount(1);
    }

    @Test
    void shouldValidateAgainstTheAccountsConfiguredHere(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("people.csv"), "to,name\n+12025558401,Ada\n");
        Path file = Files.writeString(dir.resolve("c.json"), CAMPAIGN.formatted("tw", "people.csv"));

        var result = cli(List.of("--pacer.providers.tw.type=twilio"), "validate", file.toString());

        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.out()).contains("is valid: 1 recipients (0 duplicates skipped), provider tw");
    }

    @Test
    void shouldRefuseToSubmitAnInvalidFileBeforeAskingAnyServer(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("people.csv"), "name\nAda\n");
        Path file = Files.writeString(dir.resolve("c.json"), CAMPAIGN.formatted("bandwidth", "people.csv"));

        var result = cli(List.of("--server", "http://127.0.0.1:" + closedPort()), "submit", file.toString());

        assertThat(result.exit()).isEqualTo(PacerCommand.INVALID);
        assertThat(result.err()).startsWith("invalid campaign " + file + ": recipientsFile: the CSV header has no 'to' column").hasLineCount(1);
    }

    @Test
    void shouldSayWhatAServerRefusesOrFailsWithInOneLine(@TempDir Path dir) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/engine-rest/process-definition/key/campaign/start", exchange -> answer(exchange, 409, "application/json",
                "{\"type\":\"RestException\",\"message\":\"campaign refused: a campaign named 'offline' is running (instance 42)\"}"));
        server.createContext("/api/campaigns/offline/report", exchange -> answer(exchange, 500, "text/html",
                "<html><body>Internal error</body></html>\n<p>more</p>"));
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort();
            Path file = Files.writeString(dir.resolve("c.json"), """
                    {"name": "offline", "provider": "bandwidth", "from": "+12025550100", "text": "Hi", "recipients": [{"to": "+12025558401"}]}""");

            var running = cli(List.of("--server", url), "submit", file.toString());
            assertThat(running.exit()).isEqualTo(PacerCommand.INVALID);
            assertThat(running.err()).isEqualTo("campaign offline refused by " + url + ": a campaign named 'offline' is running (instance 42)\n");

            var failed = cli(List.of("--server", url), "report", "offline");
            assertThat(failed.exit()).isEqualTo(1);
            assertThat(failed.err()).isEqualTo("the server at " + url + " failed (HTTP 500): <html><body>Internal error</body></html>\n");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void shouldReadTheLocalDatabaseWhenNoServerAnswers(@TempDir Path dir) {
        int closed = closedPort();

        var result = cli(List.of("--server.port=" + closed, "--pacer.data-dir=" + dir.resolve("data"),
                "--camunda.bpm.process-engine-name=offline-cli"), "report", "never-ran");

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err()).contains("no Pacer server answers at http://127.0.0.1:" + closed + ": using the local database instead\n")
                .contains("no campaign named 'never-ran' in the history tables");
    }

    private static void answer(com.sun.net.httpserver.HttpExchange exchange, int status, String type, String body) throws java.io.IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private static int closedPort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
