package dev.pacer.sms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SegmentsTest {

    private static final String BASIC_SET =
            "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
                    + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    private static final String EXTENSION_SET = "\f^{}\\[~]|€";
    private static final String EMOJI = "\uD83D\uDE00"; // 😀, a surrogate pair

    record Case(String name, String text, Encoding encoding, int units, int segments) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("plain GSM", "Hello, world!", Encoding.GSM7, 13, 1),
                new Case("extension chars", "{x}", Encoding.GSM7, 5, 1),
                new Case("euro sign", "5€", Encoding.GSM7, 3, 1),
                new Case("160 septets", "a".repeat(160), Encoding.GSM7, 160, 1),
                new Case("161 septets", "a".repeat(161), Encoding.GSM7, 161, 2),
                new Case("80 extension chars fill one segment", "[".repeat(80), Encoding.GSM7, 160, 1),
                new Case("306 septets", "a".repeat(306), Encoding.GSM7, 306, 2),
                new Case("307 septets", "a".repeat(307), Encoding.GSM7, 307, 3),
                new Case("extension char ending exactly at 153",
                        "a".repeat(151) + "€" + "a".repeat(153), Encoding.GSM7, 306, 2),
                new Case("extension char straddling 153 moves to next segment",
                        "a".repeat(152) + "€" + "a".repeat(152), Encoding.GSM7, 306, 3),
                new Case("UCS-2 70 units", "ж".repeat(70), Encoding.UCS2, 70, 1),
                new Case("UCS-2 71 units", "ж".repeat(71), Encoding.UCS2, 71, 2),
                new Case("UCS-2 134 units", "ж".repeat(134), Encoding.UCS2, 134, 2),
                new Case("UCS-2 135 units", "ж".repeat(135), Encoding.UCS2, 135, 3),
                new Case("emoji ending exactly at 67",
                        "ж".repeat(65) + EMOJI + "ж".repeat(67), Encoding.UCS2, 134, 2),
                new Case("emoji straddling 67 moves to next segment",
                        "ж".repeat(66) + EMOJI + "ж".repeat(66), Encoding.UCS2, 134, 3),
                new Case("emoji alone", EMOJI, Encoding.UCS2, 2, 1),
                new Case("one non-GSM char switches all to UCS-2",
                        "a".repeat(100) + "’", Encoding.UCS2, 101, 2),
                new Case("extension chars count as one unit in UCS-2",
                        "€".repeat(69) + "ж", Encoding.UCS2, 70, 1),
                new Case("empty text", "", Encoding.GSM7, 0, 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldCountSegmentsAccordingToGsm0338(Case c) {
        assertThat(Segments.count(c.text()))
                .isEqualTo(new SegmentCount(c.encoding(), c.units(), c.segments()));
    }

    @Test
    void shouldCountEveryBasicCharacterAsOneSeptet() {
        assertThat(BASIC_SET).hasSize(127);
        assertThat(Segments.count(BASIC_SET))
                .isEqualTo(new SegmentCount(Encoding.GSM7, 127, 1));
    }

    @Test
    void shouldCountExtensionCharactersAsTwoSeptets() {
        assertThat(Segments.count(EXTENSION_SET))
                .isEqualTo(new SegmentCount(Encoding.GSM7, 2 * EXTENSION_SET.length(), 1));
    }

    @Test
    void shouldTreatCharactersOutsideTheGsmTablesAsUcs2() {
        // Lower-case c-cedilla is not in the table (only the capital is), a classic trap.
        assertThat(Segments.count("ç").encoding()).isEqualTo(Encoding.UCS2);
        assertThat(Segments.count("`").encoding()).isEqualTo(Encoding.UCS2);
    }

    @Test
    void shouldRejectNullText() {
        assertThatThrownBy(() -> Segments.count(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("text");
    }
}
