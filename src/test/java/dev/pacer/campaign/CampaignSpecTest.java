package dev.pacer.campaign;

import dev.pacer.sms.PhoneNumbers;
import dev.pacer.sms.SendWindow;

import dev.pacer.throttle.Priority;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CampaignSpecTest {

    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private static final String VALID = """
            {"name": "n", "provider": "bandwidth", "from": "+12025550100", "text": "Hi {{first}}",
             "recipients": [{"to": "+12025550101", "first": "Ada"}]}""";

    @TempDir
    Path dir;

    private CampaignSpec parse(String json) {
        return CampaignSpec.parse(json, dir, Set.of("bandwidth"), NOW);
    }

    record Refusal(String change, String replacement, String named) {
    }

    static Stream<Refusal> refusals() {
        return Stream.of(
                new Refusal("\"name\": \"n\", ", "", "name"),
                new Refusal("+12025550100", "12025550100", "from"),
                new Refusal("\"bandwidth\"", "\"pigeon\"", "pigeon"),
                new Refusal("\"text\": \"Hi {{first}}\"", "\"text\": \"\"", "text"),
                new Refusal("\"recipients\": [{\"to\": \"+12025550101\", \"first\": \"Ada\"}]", "\"recipients\": []", "recipients"),
                new Refusal("\"recipients\"", "\"recipientsFile\": \"missing.csv\", \"x\"", "x"),
                new Refusal("{\"name\"", "{\"priority\": \"urgent\", \"name\"", "priority"),
                new Refusal("{\"name\"", "{\"ttl\": \"2 hours\", \"name\"", "ttl"),
                new Refusal("{\"name\"", "{\"deadline\": \"2020-01-01T00:00:00Z\", \"name\"", "deadline"),
                new Refusal("{\"name\"", "{\"ttl\": \"PT1H\", \"deadline\": \"2031-01-01T00:00:00Z\", \"name\"", "ttl"),
                new Refusal("{\"name\"", "{\"maxRate\": 0, \"name\"", "maxRate"),
                new Refusal("{\"name\"", "{\"maxRate\": \"fast\", \"name\"", "maxRate"),
                new Refusal("{\"name\"", "{\"maxRate\": 1.5, \"name\"", "maxRate"),
                new Refusal("{\"name\"", "{\"sendWindow\": \"8am-9pm\", \"name\"", "sendWindow"),
                new Refusal("{\"name\"", "{\"sendWindow\": \"09:00-09:00\", \"name\"", "sendWindow"));
    }

    @ParameterizedTest
    @MethodSource("refusals")
    void shouldRefuseABadCampaignNamingTheField(Refusal r) {
        String json = VALID.replace(r.change(), r.replacement());
        assertThat(json).isNotEqualTo(VALID);
        assertThatThrownBy(() -> parse(json)).isInstanceOf(InvalidCampaignException.class).hasMessageContaining(r.named());
    }

    @Test
    void shouldReadAValidCampaign() {
        CampaignSpec spec = parse(VALID.replace("{\"name\"", "{\"priority\": \"realtime\", \"ttl\": \"PT2H\", \"name\""));
        assertThat(spec.priority()).isEqualTo(Priority.REALTIME);
        assertThat(spec.deadlineFor(NOW)).isEqualTo(NOW.plusSeconds(7200));
        assertThat(spec.text().render(Map.of("first", "Ada"))).isEqualTo("Hi Ada");
    }

    @Test
    void shouldReadTheSendWindow() {
        assertThat(parse(VALID).sendWindow()).isNull();
        assertThat(parse(VALID.replace("{\"name\"", "{\"sendWindow\": \"08:00-21:00\", \"name\"")).sendWindow())
                .isEqualTo(SendWindow.parse("08:00-21:00"));
    }

    @Test
    void shouldReadTheCampaignsOwnRateCap() {
        assertThat(parse(VALID).maxRate()).isNull();
        assertThat(parse(VALID.replace("{\"name\"", "{\"maxRate\": 300, \"name\"")).maxRate()).isEqualTo(300);
    }

    @Test
    void shouldRefuseAPlaceholderThatNoRecipientFills() {
        CampaignSpec spec = parse(VALID.replace("Hi {{first}}", "Hi {{first}} {{last}}"));
        assertThatThrownBy(() -> Audience.scan(spec)).isInstanceOf(InvalidCampaignException.class).hasMessageContaining("{{last}}");
    }

    @Test
    void shouldStreamACsvAudienceAndMarkDuplicates() throws IOException {
        Files.writeString(dir.resolve("people.csv"), "to,first\n+12025550101,Ada\n+12025550102,\n+12025550101,Ada again\n");
        CampaignSpec spec = parse(VALID.replace("\"recipients\": [{\"to\": \"+12025550101\", \"first\": \"Ada\"}]", "\"recipientsFile\": \"people.csv\""));
        Audience.Scan scan = Audience.scan(spec);
        assertThat(scan.rows()).isEqualTo(3);
        assertThat(scan.duplicates()).isEqualTo(1);
        assertThat(scan.firstOccurrence().get(3)).isFalse();
        List<Recipient> rows = new ArrayList<>();
        try (Audience a = Audience.open(spec)) {
            a.forEachRemaining(rows::add);
        }
        assertThat(rows).extracting(Recipient::to).containsExactly("+12025550101", "+12025550102", "+12025550101");
        assertThatThrownBy(() -> spec.text().render(rows.get(1).fields())).hasMessageContaining("{{first}}");
    }

    @Test
    void shouldRefuseACsvWithoutAToColumn() throws IOException {
        Files.writeString(dir.resolve("people.csv"), "phone,first\n+12025550101,Ada\n");
        CampaignSpec spec = parse(VALID.replace("\"recipients\": [{\"to\": \"+12025550101\", \"first\": \"Ada\"}]", "\"recipientsFile\": \"people.csv\""));
        assertThatThrownBy(() -> Audience.scan(spec)).hasMessageContaining("'to' column");
    }

    @Test
    void shouldExplainWhyANumberIsNotE164() {
        assertThat(PhoneNumbers.problem("+12025550101")).isEmpty();
        assertThat(PhoneNumbers.problem("202-555-0101")).get().asString().contains("E.164");
        assertThat(PhoneNumbers.problem("+1000")).isPresent();
    }
}
