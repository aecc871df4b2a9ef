package dev.pacer.sms;

import dev.pacer.campaign.InvalidCampaignException;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SendWindowTest {

    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    private static final ZoneId CHICAGO = ZoneId.of("America/Chicago");
    private static final ZoneId LOS_ANGELES = ZoneId.of("America/Los_Angeles");
    private final SendWindow day = SendWindow.parse("08:00-21:00");

    @Test
    void shouldBeOpenFromTheStartUpToButNotIncludingTheEnd() {
        assertThat(day.isOpen(Instant.parse("2030-01-07T13:00:00Z"), NEW_YORK)).as("08:00 EST").isTrue();
        assertThat(day.isOpen(Instant.parse("2030-01-07T12:59:59Z"), NEW_YORK)).isFalse();
        assertThat(day.isOpen(Instant.parse("2030-01-08T01:59:59Z"), NEW_YORK)).as("20:59:59 EST").isTrue();
        assertThat(day.isOpen(Instant.parse("2030-01-08T02:00:00Z"), NEW_YORK)).as("21:00 EST").isFalse();
    }

    @Test
    void shouldFindTheNextOpeningInLocalTimeAcrossDaylightSaving() {
        assertThat(day.nextOpening(Instant.parse("2030-01-08T02:30:00Z"), List.of(NEW_YORK)))
                .as("EST, UTC-5").isEqualTo(Instant.parse("2030-01-08T13:00:00Z"));
        assertThat(day.nextOpening(Instant.parse("2030-07-08T02:30:00Z"), List.of(NEW_YORK)))
                .as("EDT, UTC-4").isEqualTo(Instant.parse("2030-07-08T12:00:00Z"));
        Instant open = Instant.parse("2030-07-08T15:00:00Z");
        assertThat(day.nextOpening(open, List.of(NEW_YORK))).as("already open").isEqualTo(open);
    }

    @Test
    void shouldOpenOnlyWhenTheWindowIsOpenInEveryZoneOfTheNumber() {
        // 07:30 in Chicago is 08:30 in New York: open there, not yet in Chicago
        Instant t = Instant.parse("2030-01-07T13:30:00Z");
        assertThat(day.isOpen(t, List.of(NEW_YORK, CHICAGO))).isFalse();
        assertThat(day.nextOpening(t, List.of(NEW_YORK, CHICAGO))).isEqualTo(Instant.parse("2030-01-07T14:00:00Z"));
        assertThat(day.closing(Instant.parse("2030-01-07T20:00:00Z"), List.of(NEW_YORK, CHICAGO)))
                .as("closes first in New York").isEqualTo(Instant.parse("2030-01-08T02:00:00Z"));
    }

    @Test
    void shouldRunAWindowWhoseEndIsBeforeItsStartOverMidnight() {
        SendWindow night = SendWindow.parse("22:00-06:00");
        assertThat(night.isOpen(Instant.parse("2030-01-08T04:00:00Z"), NEW_YORK)).as("23:00").isTrue();
        assertThat(night.isOpen(Instant.parse("2030-01-08T10:00:00Z"), NEW_YORK)).as("05:00").isTrue();
        assertThat(night.isOpen(Instant.parse("2030-01-08T12:00:00Z"), NEW_YORK)).as("07:00").isFalse();
        assertThat(night.nextOpening(Instant.parse("2030-01-08T12:00:00Z"), List.of(NEW_YORK)))
                .isEqualTo(Instant.parse("2030-01-09T03:00:00Z"));
    }

    @Test
    void shouldRefuseZonesThatNeverShareAnOpenHour() {
        SendWindow hour = SendWindow.parse("09:00-10:00");
        assertThatThrownBy(() -> hour.nextOpening(Instant.parse("2030-01-07T00:00:00Z"), List.of(NEW_YORK, LOS_ANGELES)))
                .hasMessageContaining("never open in all of");
    }

    @Test
    void shouldRefuseAMalformedWindowNamingIt() {
        assertThatThrownBy(() -> SendWindow.parse("8-21")).isInstanceOf(InvalidCampaignException.class)
                .hasMessageContaining("'8-21' is not of the form HH:mm-HH:mm");
        assertThatThrownBy(() -> SendWindow.parse("08:00-25:00")).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> SendWindow.parse("08:00-08:00")).hasMessageContaining("the same");
    }

    @Test
    void shouldMapANumberToTheTimeZonesOfItsPrefix() {
        assertThat(TimeZones.of("+12125550101")).containsExactly(NEW_YORK);
        assertThat(TimeZones.of("+13105550101")).containsExactly(LOS_ANGELES);
        assertThat(TimeZones.of("+442071838750")).containsExactly(ZoneId.of("Europe/London"));
        assertThat(TimeZones.of("not a number")).isEmpty();
    }
}
