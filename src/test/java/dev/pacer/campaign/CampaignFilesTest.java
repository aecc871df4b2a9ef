package dev.pacer.campaign;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Campaign files as people save them, and as an attacker would write them: each is read as meant
 * or refused whole, naming the problem, and a campaign never reads a file outside its own folder.
 */
class CampaignFilesTest {

    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    @TempDir
    Path dir;

    private CampaignSpec parse(String json) {
        return CampaignSpec.parse(json, dir, Set.of("bandwidth"), NOW);
    }

    private static String campaign(String recipientsFile) {
        return """
                {"name": "n", "provider": "bandwidth", "from": "+12025550100", "text": "Hi {{name}}", "recipientsFile": "%s"}"""
                .formatted(recipientsFile);
    }

    private static List<Recipient> read(CampaignSpec spec) {
        List<Recipient> rows = new ArrayList<>();
        try (Audience a = Audience.open(spec)) {
            a.forEachRemaining(rows::add);
        }
        return rows;
    }

    @Test
    void shouldReadACsvSavedWithAByteOrderMarkAsExcelDoes() throws IOException {
        Files.write(dir.resolve("r.csv"), concat(BOM, "to,name\n+12025550101,Zoë\n+12025550102,Bo\n".getBytes(StandardCharsets.UTF_8)));
        CampaignSpec spec = parse(campaign("r.csv"));
        assertThat(Audience.scan(spec).rows()).isEqualTo(2);
        assertThat(read(spec)).extracting(r -> r.fields().get("name")).containsExactly("Zoë", "Bo");
        try (Audience again = Audience.open(spec, positionOfRow(spec, 1), 1)) {
            assertThat(again.next().to()).as("reopened after the first row, at its offset").isEqualTo("+12025550102");
        }
    }

    @Test
    void shouldRefuseACsvInLatin1NamingTheEncoding() throws IOException {
        Files.write(dir.resolve("r.csv"), "to,name\n+12025550101,Zoë\n".getBytes(Charset.forName("ISO-8859-1")));
        CampaignSpec spec = parse(campaign("r.csv"));
        assertThatThrownBy(() -> Audience.scan(spec)).isInstanceOf(InvalidCampaignException.class)
                .hasMessageContaining("recipientsFile").hasMessageContaining("is not UTF-8")
                .hasMessageContaining("ISO-8859-1 / Windows-1252").hasMessageContaining("save it as UTF-8");
    }

    @Test
    void shouldReadACampaignFileWithABomAndRefuseOneInUtf16() throws IOException {
        Path withBom = dir.resolve("c.json");
        Files.write(withBom, concat(BOM, campaign("r.csv").getBytes(StandardCharsets.UTF_8)));
        assertThat(TextFiles.read(withBom)).startsWith("{\"name\"");
        Path utf16 = dir.resolve("c16.json");
        Files.write(utf16, campaign("r.csv").getBytes(StandardCharsets.UTF_16));
        assertThatThrownBy(() -> TextFiles.read(utf16)).hasMessageContaining("is not UTF-8 (it looks like UTF-16)");
    }

    @Test
    void shouldRefuseAKeyGivenTwice() {
        assertThatThrownBy(() -> parse("""
                {"name": "n", "provider": "bandwidth", "from": "+12025550100", "text": "a", "text": "b",
                 "recipients": [{"to": "+12025550101"}]}"""))
                .isInstanceOf(InvalidCampaignException.class).hasMessageContaining("Duplicate field 'text'");
    }

    static Stream<String> outside() {
        return Stream.of("../r.csv", "/etc/passwd", "sub/../../r.csv");
    }

    @ParameterizedTest
    @MethodSource("outside")
    void shouldNeverReadARecipientsFileOutsideTheCampaignsFolder(String file) throws IOException {
        Files.writeString(dir.resolveSibling("r.csv"), "to\n+12025550101\n");
        assertThatThrownBy(() -> parse(campaign(file))).isInstanceOf(InvalidCampaignException.class)
                .hasMessageContaining("outside the campaign's folder").hasMessageNotContaining("root:");
    }

    @Test
    void shouldNotFollowALinkOutOfTheCampaignsFolder() throws IOException {
        Path secret = Files.createTempFile("secret", ".csv");
        Files.writeString(secret, "to\n+12025550101\n");
        Files.createSymbolicLink(dir.resolve("link.csv"), secret);
        assertThatThrownBy(() -> parse(campaign("link.csv"))).hasMessageContaining("leads outside the campaign's folder");
        Files.delete(secret);
    }

    @Test
    void shouldRefuseAFileForACampaignWithNoFolder() {
        assertThatThrownBy(() -> CampaignSpec.parse(campaign("r.csv"), null, Set.of("bandwidth"), NOW))
                .hasMessageContaining("pacer.audience-dir");
    }

    private static long positionOfRow(CampaignSpec spec, int row) {
        try (Audience a = Audience.open(spec)) {
            for (int i = 0; i < row; i++) {
                a.next();
            }
            return a.position();
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
