package dev.pacer.campaign;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Campaign files mangled at random (seeded, so a failure replays): every one is read as a campaign
 * or refused with an {@link InvalidCampaignException} that names the problem; none escapes as
 * another exception, and none reads a file outside its folder.
 */
class CampaignFileFuzzTest {

    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private static final int CASES = 3000;
    private static final String[] PIECES = {"{", "}", "[", "]", "\"", ":", ",", "\\", "\\u0000", "\uFEFF", "{{", "}}", "{{name",
            "../", "/etc/passwd", "null", "true", "1e999", "-1", "\"text\": \"x\"", "\"name\": \"n\"", "\"recipientsFile\": \"r.csv\"",
            "\"recipientsFile\": \"../secret.csv\"", "\"ttl\": \"P\"", "\"deadline\": \"2030\"", "\"maxRate\": 1e20", "é", "\uD83D",
            "x".repeat(5000)};
    private static final String BASE = """
            {"name": "n", "provider": "bandwidth", "from": "+12025550100", "text": "Hi {{name}}", "recipientsFile": "r.csv",
             "ttl": "PT1H", "sendWindow": "08:00-21:00", "maxRate": 60}""";

    @TempDir
    Path root;

    @Test
    void shouldReadOrRefuseEveryMangledCampaignCleanly() throws IOException {
        Path dir = Files.createDirectories(root.resolve("campaign"));
        Files.writeString(root.resolve("secret.csv"), "to,name\n+12025550199,secret\n");
        SplittableRandom random = new SplittableRandom(20261201);
        int read = 0;
        List<String> refusals = new ArrayList<>();
        for (int n = 0; n < CASES; n++) {
            String json = mangle(BASE, random);
            byte[] csv = mangle("to,name\n+12025550101,Ada\n+12025550102,Bo\n", random).getBytes(random.nextBoolean()
                    ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            Files.write(dir.resolve("r.csv"), csv);
            try {
                CampaignSpec spec = CampaignSpec.parse(json, dir, Set.of("bandwidth"), NOW);
                Audience.Scan scan = Audience.scan(spec);
                assertThat(spec.recipientsFile() == null || spec.recipientsFile().startsWith(dir)).as(json).isTrue();
                assertThat(scan.rows()).isPositive();
                read++;
            } catch (InvalidCampaignException e) {
                assertThat(e.getMessage()).as("a refusal says why").isNotBlank().doesNotContain("secret");
                refusals.add(e.getMessage());
            } catch (RuntimeException e) {
                fail("case " + n + " escaped as " + e + " for " + json.substring(0, Math.min(300, json.length())), e);
            }
        }
        assertThat(read).as("some mangled files are still campaigns").isPositive();
        assertThat(refusals).as("and most are refused").hasSizeGreaterThan(CASES / 2);
    }

    /** One to three random edits: a piece inserted, a span deleted, or a character replaced. */
    private static String mangle(String text, SplittableRandom random) {
        StringBuilder s = new StringBuilder(text);
        int edits = 1 + random.nextInt(3);
        for (int i = 0; i < edits; i++) {
            int at = random.nextInt(s.length() + 1);
            switch (random.nextInt(3)) {
                case 0 -> s.insert(at, PIECES[random.nextInt(PIECES.length)]);
                case 1 -> s.delete(at, Math.min(s.length(), at + 1 + random.nextInt(8)));
                default -> {
                    if (at < s.length()) {
                        s.setCharAt(at, (char) (32 + random.nextInt(95)));
                    }
                }
            }
        }
        return s.toString();
    }
}
