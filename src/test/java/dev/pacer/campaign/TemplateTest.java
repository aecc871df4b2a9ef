package dev.pacer.campaign;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Placeholders with defaults and optional fields, and every malformed one refused with its position. */
class TemplateTest {

    record Filled(String text, Map<String, String> fields, String expected) {
    }

    static Stream<Filled> filled() {
        return Stream.of(
                new Filled("Hi {{first_name|there}}", Map.of("first_name", "Ada"), "Hi Ada"),
                new Filled("Hi {{first_name|there}}", Map.of(), "Hi there"),
                new Filled("Hi {{first_name|there}}", Map.of("first_name", "  "), "Hi there"),
                new Filled("Hi {{ first_name | dear customer }}!", Map.of(), "Hi dear customer!"),
                new Filled("Hi{{title|}} {{name}}", Map.of("name", "Bo"), "Hi Bo"),
                new Filled("Hi {{title|}}{{name}}", Map.of("name", "Bo", "title", "Dr "), "Hi Dr Bo"),
                new Filled("Code {{code}}, {{code}} again", Map.of("code", "42"), "Code 42, 42 again"),
                new Filled("No placeholders: { } {single}", Map.of(), "No placeholders: { } {single}"),
                new Filled("{{a}}{{b|-}}", Map.of("a", "$1\\"), "$1\\-"));
    }

    @ParameterizedTest
    @MethodSource("filled")
    void shouldFillEachPlaceholderWithItsValueOrItsDefault(Filled c) {
        assertThat(Template.parse(c.text()).render(c.fields())).isEqualTo(c.expected());
    }

    @Test
    void shouldTreatABlankValueOfARequiredFieldAsMissing() {
        Template t = Template.parse("Hi {{name}}, at {{clinic|our clinic}}");
        assertThat(t.required()).containsExactly("name");
        assertThat(t.fields()).containsExactly("name", "clinic");
        assertThatThrownBy(() -> t.render(Map.of("name", " "))).hasMessage("no value for placeholder {{name}}");
    }

    record Refused(String text, String named) {
    }

    static Stream<Refused> refused() {
        return Stream.of(
                new Refused("Hi {{first name}}", "'{{first name}}' at position 4 is not a placeholder"),
                new Refused("Hi {{}}", "'{{}}' at position 4 is not a placeholder"),
                new Refused("Hi {{|x}}", "'{{|x}}' at position 4"),
                new Refused("Hi {{name}", "'{{' at position 4 does not pair"),
                new Refused("Hi name}} and {{x}}", "'}}' at position 8 does not pair"),
                new Refused("Hi {{a}} {{", "'{{' at position 10 does not pair"));
    }

    @ParameterizedTest
    @MethodSource("refused")
    void shouldRefuseWhatLooksLikeAPlaceholderAndIsNotOneNamingWhere(Refused c) {
        assertThatThrownBy(() -> Template.parse(c.text())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(c.named());
    }

    @Test
    void shouldRefuseTheCampaignWholeForABadPlaceholder() {
        assertThatThrownBy(() -> CampaignSpec.parse("""
                {"name": "n", "provider": "bandwidth", "from": "+12025550100", "text": "Hi {{first name}}",
                 "recipients": [{"to": "+12025550101"}]}""", null, java.util.Set.of("bandwidth"), java.time.Instant.EPOCH))
                .isInstanceOf(InvalidCampaignException.class).hasMessageStartingWith("text: '{{first name}}' at position 4");
    }
}
