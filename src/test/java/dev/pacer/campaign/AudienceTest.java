package dev.pacer.campaign;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class AudienceTest {

    @TempDir
    Path dir;

    private CampaignSpec spec(String csv) throws IOException {
        Files.writeString(dir.resolve("a.csv"), csv);
        return CampaignSpec.parse("""
                {"name": "n", "provider": "p", "from": "+12025550100", "text": "Hi {{name}}", "recipientsFile": "a.csv"}""",
                dir, Set.of("p"), Instant.parse("2030-01-01T00:00:00Z"));
    }

    @Test
    void shouldOpenAgainAfterTheLastRowReadWithoutReadingFromTheTop() throws IOException {
        CampaignSpec spec = spec("to,name\n+12025550001,Ada\n\"+12025550002\",\"Bob, Jr.\"\n\n+12025550003,\"Zoë\nnewline\"\n+12025550004,Dee\n");
        List<String> seen = new ArrayList<>();
        long position;
        int cursor;
        try (Audience a = Audience.open(spec)) {
            Recipient r1 = a.next();
            Recipient r2 = a.next();
            seen.add(r1.fields().get("name"));
            seen.add(r2.fields().get("name"));
            position = a.position();
            cursor = r2.row();
        }
        try (Audience a = Audience.open(spec, position, cursor)) {
            while (a.hasNext()) {
                Recipient r = a.next();
                seen.add(r.row() + ":" + r.fields().get("name"));
            }
        }
        assertThat(seen).containsExactly("Ada", "Bob, Jr.", "3:Zoë\nnewline", "4:Dee");
    }

    @Test
    void shouldOpenInlineRecipientsAfterACursorToo() throws IOException {
        CampaignSpec spec = CampaignSpec.parse("""
                {"name": "n", "provider": "p", "from": "+12025550100", "text": "Hi",
                 "recipients": [{"to": "+12025550001"}, {"to": "+12025550002"}, {"to": "+12025550003"}]}""",
                dir, Set.of("p"), Instant.parse("2030-01-01T00:00:00Z"));
        try (Audience a = Audience.open(spec, 0, 2)) {
            Recipient r = a.next();
            assertThat(r.row()).isEqualTo(3);
            assertThat(r.to()).isEqualTo("+12025550003");
            assertThat(a.hasNext()).isFalse();
        }
    }
}
