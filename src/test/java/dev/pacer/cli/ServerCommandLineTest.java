package dev.pacer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.system.PacerApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The commands that talk to a running server ({@code submit}, {@code status}, {@code report},
 * {@code trail}, {@code pause}, {@code resume}, {@code cancel}, {@code suppression}) against a real
 * one: what they print, and the one line each prints for what the server refuses.
 */
@SpringBootTest(classes = PacerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:cli-server;DB_CLOSE_DELAY=-1",
        "pacer.simulator.enabled=true",
        "pacer.providers.bandwidth.segments-per-minute=3000",
        "pacer.simulator.segments-per-minute=3000",
        "PACER_ADMIN_USER=ops",
        "PACER_ADMIN_PASSWORD=" + ServerCommandLineTest.PASSWORD})
class ServerCommandLineTest {

    static final String PASSWORD = "s3cret-for-cli-tests";
    private static final ObjectMapper JSON = new ObjectMapper();

    @LocalServerPort
    int port;

    private List<String> login() {
        return List.of("--server", "http://127.0.0.1:" + port, "--user", "ops", "--password", PASSWORD);
    }

    private ServerClient client() {
        return new ServerClient(URI.create("http://127.0.0.1:" + port), "ops", PASSWORD);
    }

    @Test
    void shouldSubmitAFileWithItsCsvAndReadItsStatusReportAndTrailFromTheServer(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("people.csv"), "to,name\n+12025558101,Ada\n+12025558102,Bo\n555,Cy\n+12025558101,Ada again\n");
        Path file = dir.resolve("campaign.json");
        Files.writeString(file, """
                {"name": "cli-submit", "provider": "bandwidth", "from": "+12025550100", "text": "Hello {{name}}",
                 "recipientsFile": "people.csv"}""");

        Result submit = cli(login(), "submit", file.toString());
        assertThat(submit.exit).as(submit.err).isZero();
        assertThat(submit.out).contains("campaign cli-submit started on http://127.0.0.1:" + port + " (instance ");
        String id = submit.out.substring(submit.out.indexOf("(instance ") + 10, submit.out.indexOf(')'));
        client().awaitEnded(id, Duration.ofSeconds(60));

        Result status = cli(login(), "status", "cli-submit");
        assertThat(status.exit).as(status.err).isZero();
        assertThat(status.out).contains("cli-submit  FINISHED  3/3 messages done (100%), 0 in flight, finished ")
                .contains("[" + id + "]").contains("ACCEPTED 2").contains("INVALID 1");
        Result byId = cli(login(), "status", id, "--json");
        assertThat(JSON.readTree(byId.out).path("campaign").asText()).isEqualTo("cli-submit");
        assertThat(JSON.readTree(byId.out).path("duplicates").asInt()).as("the CSV's duplicate went inline with the rest").isEqualTo(1);

        Result report = cli(login(), "report", "cli-submit", "--out", dir.resolve("audit").toString(), "--json",
                dir.resolve("r.json").toString());
        assertThat(report.exit).as(report.err).isZero();
        assertThat(report.out).contains("Campaign cli-submit (" + id + ")").contains("recipients 4 (1 duplicates skipped), messages 3")
                .contains("chart " + dir.resolve("audit/chart.svg"));
        JsonNode written = JSON.readTree(dir.resolve("audit/report.json").toFile());
        assertThat(written.path("outcomes").path("ACCEPTED").asInt()).isEqualTo(2);
        assertThat(written.path("chart").asText()).isEqualTo("chart.svg");
        assertThat(JSON.readTree(dir.resolve("r.json").toFile()).path("campaignId").asText()).isEqualTo(id);
        assertThat(Files.readAllLines(dir.resolve("audit/messages.csv"))).hasSize(4);
        assertThat(Files.readString(dir.resolve("audit/chart.svg"))).contains("<svg");
        assertThat(Files.readAllBytes(dir.resolve("audit/chart.png"))).startsWith(0x89, 'P', 'N', 'G');

        Result trail = cli(login(), "trail", id, "+12025558102", "--json");
        assertThat(trail.exit).as(trail.err).isZero();
        JsonNode t = JSON.readTree(trail.out);
        assertThat(t.path("outcome").asText()).isEqualTo("ACCEPTED");
        Result byKey = cli(login(), "trail", t.path("businessKey").asText());
        assertThat(byKey.exit).as(byKey.err).isZero();
        assertThat(byKey.out).startsWith("Message to +12025558102").contains("instance " + t.path("messageId").asText())
                .contains("ACCEPTED");
        assertThat(cli(login(), "trail", t.path("messageId").asText()).out).startsWith("Message to +12025558102");

        Result twice = cli(login(), "submit", file.toString());
        assertThat(twice.exit).as(twice.err).isEqualTo(PacerCommand.INVALID);
        assertThat(twice.err).startsWith("campaign cli-submit refused by http://127.0.0.1:" + port + ": campaign 'cli-submit' has "
                + "already run (instance " + id + ", finished ").hasLineCount(1);
    }

    @Test
    void shouldPauseResumeAndCancelARunningCampaignByNameOrInstanceId(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("slow.json");
        // one segment a minute: the campaign keeps running until it is cancelled
        Files.writeString(file, """
                {"name": "cli-slow", "provider": "bandwidth", "from": "+12025550100", "text": "Hi", "maxRate": 1,
                 "recipients": [{"to": "+12025558201"}, {"to": "+12025558202"}, {"to": "+12025558203"}]}""");
        Result submit = cli(login(), "submit", file.toString());
        assertThat(submit.exit).as(submit.err).isZero();
        String id = submit.out.substring(submit.out.indexOf("(instance ") + 10, submit.out.indexOf(')'));

        Result running = cli(login(), "status");
        assertThat(running.out).contains("cli-slow  RUNNING  ").contains("[" + id + "]");

        Result pause = cli(login(), "pause", id);
        assertThat(pause.exit).as(pause.err).isZero();
        assertThat(pause.out).contains("campaign cli-slow paused (instance " + id + ")\n");
        assertThat(cli(login(), "status", "cli-slow").out).contains("cli-slow  PAUSED  ");

        assertThat(cli(login(), "resume", "cli-slow").out).contains("campaign cli-slow resumed (instance " + id + ")\n");
        assertThat(cli(login(), "status", "cli-slow").out).contains("cli-slow  RUNNING  ");

        Result cancel = cli(login(), "cancel", "cli-slow");
        assertThat(cancel.exit).as(cancel.err).isZero();
        assertThat(cancel.out).contains("campaign cli-slow cancelled (instance " + id + ")\n");
        assertThat(cli(login(), "status", "cli-slow").out).as("cancelled, or already finished with the rest cancelled")
                .containsAnyOf("cli-slow  CANCELLED  ", "cli-slow  FINISHED  ").contains("CANCELLED 2");

        Path quick = dir.resolve("quick.json");
        Files.writeString(quick, """
                {"name": "cli-quick", "provider": "bandwidth", "from": "+12025550100", "text": "Hi", "recipients": [{"to": "+12025558204"}]}""");
        Result done = cli(login(), "submit", quick.toString());
        client().awaitEnded(done.out.substring(done.out.indexOf("(instance ") + 10, done.out.indexOf(')')), Duration.ofSeconds(60));
        Result again = cli(login(), "pause", "cli-quick");
        assertThat(again.exit).isEqualTo(1);
        assertThat(again.err).startsWith("campaign cli-quick is not running: it finished at ").hasLineCount(1);
        assertThat(cli(login(), "status").out).doesNotContain("cli-quick");
    }

    @Test
    void shouldSayInOneLineWhatTheServerRefuses() throws Exception {
        Result unknown = cli(login(), "report", "no-such-campaign");
        assertThat(unknown.exit).isEqualTo(1);
        assertThat(unknown.err).isEqualTo("no campaign named no-such-campaign in the history tables\n");
        assertThat(cli(login(), "pause", "no-such-campaign").err)
                .isEqualTo("no campaign named no-such-campaign (nor with that instance id) on this server\n");
        assertThat(cli(login(), "trail", "no-such-message").err)
                .isEqualTo("no message with the business key or instance id 'no-such-message' in the history tables\n");

        Result wrongLogin = cli(List.of("--server", "http://127.0.0.1:" + port, "--user", "ops", "--password", "wrong"), "status");
        assertThat(wrongLogin.exit).isEqualTo(1);
        assertThat(wrongLogin.err).isEqualTo("the server at http://127.0.0.1:" + port + " refused the login 'ops' (401): set "
                + "PACER_ADMIN_USER and PACER_ADMIN_PASSWORD, or give --user and --password\n");

        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Result down = cli(List.of("--server", "http://127.0.0.1:" + closed), "report", "anything");
        assertThat(down.exit).isEqualTo(1);
        assertThat(down.err).isEqualTo("no Pacer server answers at http://127.0.0.1:" + closed + " (start one with `pacer serve`, "
                + "or name another with --server URL)\n");
    }

    @Test
    void shouldFindTheLocalServerAndItsLoginFromTheSettings() {
        // no --server, --user or --password: the port and the login as a server started here with these settings would have them
        Result status = cli(List.of("--server.port=" + port, "--PACER_ADMIN_USER=ops", "--PACER_ADMIN_PASSWORD=" + PASSWORD), "status");
        assertThat(status.exit).as(status.err).isZero();
        assertThat(status.err).isEmpty();
    }

    @Test
    void shouldListAddAndRemoveSuppressedNumbers() {
        Result add = cli(login(), "suppression", "add", "+12025558301", "--reason", "asked by phone");
        assertThat(add.exit).as(add.err).isZero();
        assertThat(add.out).isEqualTo("+12025558301 added to the suppression list\n");
        assertThat(cli(login(), "suppression", "add", "+12025558301", "--reason", "again").out)
                .isEqualTo("+12025558301 was on the suppression list already\n");
        assertThat(cli(login(), "suppression", "list").out).contains("+12025558301  ");
        Result bad = cli(login(), "suppression", "add", "12345", "--reason", "x");
        assertThat(bad.exit).isEqualTo(1);
        assertThat(bad.err).contains("12345").doesNotContain("\tat ").hasLineCount(1);

        assertThat(cli(login(), "suppression", "remove", "+12025558301", "--reason", "a mistake").out)
                .isEqualTo("+12025558301 taken off the suppression list\n");
        Result gone = cli(login(), "suppression", "remove", "+12025558301", "--reason", "a mistake");
        assertThat(gone.exit).isEqualTo(1);
        assertThat(gone.err).isEqualTo("+12025558301 is not on the suppression list\n");
        assertThat(cli(login(), "suppression", "changes", "+12025558301").out).contains("add +12025558301  by ops: asked by phone")
                .contains("remove +12025558301  by ops: a mistake");
        assertThat(cli(login(), "suppression", "list").out).doesNotContain("+12025558301");
    }

    record Result(int exit, String out, String err) {
    }

    /** Runs a {@code pacer} command in this JVM, capturing what it prints. */
    static Result cli(List<String> options, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(options);
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int exit = PacerCommand.commandLine().execute(all.toArray(String[]::new));
            return new Result(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
