package dev.pacer.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code pacer run} refuses a campaign file it cannot read as meant with exit 2, naming why, before anything starts. */
class RunCommandTest {

    @TempDir
    Path dir;

    private String[] run(Path file, String... more) {
        PrintStream err = System.err;
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            String[] args = new String[2 + more.length];
            args[0] = "run";
            args[1] = file.toString();
            System.arraycopy(more, 0, args, 2, more.length);
            int exit = PacerCommand.commandLine().execute(args);
            return new String[]{String.valueOf(exit), e.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setErr(err);
        }
    }

    @Test
    void shouldRefuseACampaignFileInLatin1NamingTheEncoding() throws Exception {
        Path file = dir.resolve("c.json");
        Files.write(file, "{\"name\": \"Café\"}".getBytes(Charset.forName("ISO-8859-1")));
        String[] r = run(file);
        assertThat(r[0]).isEqualTo(String.valueOf(PacerCommand.INVALID));
        assertThat(r[1]).contains("invalid campaign: " + file + " is not UTF-8 (it looks like ISO-8859-1 / Windows-1252); save it as UTF-8");
    }

    @Test
    void shouldRefuseAFileThatIsNotJsonWithExit2() throws Exception {
        Path file = dir.resolve("c.json");
        Files.writeString(file, "{\"name\": \"half");
        String[] r = run(file, "--simulator", "--spring.datasource.url=jdbc:h2:mem:run-command-test",
                "--camunda.bpm.process-engine-name=run-command-test");
        assertThat(r[0]).isEqualTo(String.valueOf(PacerCommand.INVALID));
        assertThat(r[1]).contains("invalid campaign " + file + ": campaign is not valid JSON");
    }

    @Test
    void shouldSaySoWhenTheFileIsMissing() {
        String[] r = run(dir.resolve("none.json"));
        assertThat(r[0]).isEqualTo(String.valueOf(PacerCommand.INVALID));
        assertThat(r[1]).contains("no such file");
    }
}
