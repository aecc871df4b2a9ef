package dev.pacer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code pacer run} writes the audit files, and after the engine is gone (a restart: a new engine on
 * the same database files) {@code pacer report} and {@code pacer trail} read the same from history.
 */
class AuditCommandLineTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldWriteTheAuditFilesAndReadThemBackAfterARestart(@TempDir Path dir) throws Exception {
        Path campaign = dir.resolve("campaign.json");
        Files.writeString(campaign, """
                {"name": "cli-audit", "provider": "bandwidth", "from": "+12025550100", "text": "Hello {{name}}",
                 "recipients": [{"to": "+12025558001", "name": "Ada"}, {"to": "+12025558002", "name": "Bo"}, {"to": "555", "name": "C"}]}""");
        List<String> common = List.of("--pacer.data-dir=" + dir.resolve("data"), "--camunda.bpm.process-engine-name=audit-cli",
                "--pacer.providers.bandwidth.segments-per-minute=3000", "--pacer.simulator.enabled=true",
                "--pacer.simulator.segments-per-minute=3000");

        Result run = cli(common, "run", campaign.toString(), "--out", dir.resolve("audit").toString());
        assertThat(run.exit).as(run.err).isZero();
        assertThat(run.out).contains("report, per-message CSV and chart written to " + dir.resolve("audit"));
        JsonNode report = JSON.readTree(dir.resolve("audit/report.json").toFile());
        assertThat(report.path("outcomes").path("ACCEPTED").asInt()).isEqualTo(2);
        assertThat(report.path("chart").asText()).isEqualTo("chart.svg");
        assertThat(report.path("simulated").asBoolean()).as("sent to the built-in simulator").isTrue();
        assertThat(run.out).contains("SIMULATED: sent to the built-in simulator, not to bandwidth");
        assertThat(Files.readAllLines(dir.resolve("audit/messages.csv"))).hasSize(4);
        assertThat(Files.readString(dir.resolve("audit/chart.svg"))).contains("<svg");
        assertThat(Files.readAllBytes(dir.resolve("audit/chart.png"))).startsWith(0x89, 'P', 'N', 'G');

        Result again = cli(common, "report", "cli-audit", "--out", dir.resolve("again").toString(), "--local");
        assertThat(again.exit).as(again.err).isZero();
        JsonNode reread = JSON.readTree(dir.resolve("again/report.json").toFile());
        assertThat(reread.path("outcomes")).isEqualTo(report.path("outcomes"));
        assertThat(reread.path("sendAttempts")).isEqualTo(report.path("sendAttempts"));
        assertThat(Files.readString(dir.resolve("again/messages.csv"))).isEqualTo(Files.readString(dir.resolve("audit/messages.csv")));

        Result trail = cli(common, "trail", "cli-audit", "+12025558001", "--json", "--local");
        assertThat(trail.exit).as(trail.err).isZero();
        JsonNode t = JSON.readTree(trail.out.substring(trail.out.indexOf('{')));
        assertThat(t.path("outcome").asText()).isEqualTo("ACCEPTED");
        assertThat(t.path("steps").findValue("attempt").path("status").asInt()).isEqualTo(202);

        Result byId = cli(common, "trail", t.path("messageId").asText(), "--local");
        assertThat(byId.exit).as(byId.err).isZero();
        assertThat(byId.out).contains("Message to +12025558001").contains("attempt 1 via bandwidth: 202");
        Result byKey = cli(common, "trail", t.path("businessKey").asText(), "--local");
        assertThat(byKey.exit).as(byKey.err).isZero();
        assertThat(byKey.out).contains("instance " + t.path("messageId").asText());
        assertThat(cli(common, "trail", "no-such-message", "--local").err).contains("no message with the business key or instance id 'no-such-message'");

        Result unknown = cli(common, "trail", "cli-audit", "+12025558999", "--local");
        assertThat(unknown.exit).isEqualTo(1);
        assertThat(unknown.err).contains("campaign 'cli-audit' has no message to +12025558999");
    }

    private record Result(int exit, String out, String err) {
    }

    /** Runs a {@code pacer} command in this JVM, its own Spring context and engine, capturing what it prints. */
    private static Result cli(List<String> common, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(common);
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
