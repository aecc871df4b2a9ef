package dev.pacer.suppression;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SuppressionListTest {

    @TempDir
    Path dir;
    private SuppressionList list;

    @BeforeEach
    void setUp() {
        JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource("jdbc:h2:mem:suppression;DB_CLOSE_DELAY=-1"));
        list = new SuppressionList(jdbc, Clock.systemUTC());
        jdbc.update("delete from " + SuppressionList.TABLE);
    }

    @Test
    void shouldMergeAFileIntoTheTableSkippingCommentsHeadersAndNumbersAlreadyListed() throws IOException {
        list.add("+12025550101", "earlier");
        Path file = Files.writeString(dir.resolve("stop.csv"), """
                number,reason
                # opted out by SMS reply
                +12025550101,STOP
                "+12025550102",STOP

                +447911123456
                """);
        assertThat(list.importFile(file)).as("two new, one already listed").isEqualTo(2);
        assertThat(list.size()).isEqualTo(3);
        assertThat(list.contains("+447911123456")).isTrue();
        assertThat(list.contains("+12025550199")).isFalse();
        assertThat(list.remove("+447911123456")).isTrue();
        assertThat(list.contains("+447911123456")).isFalse();
    }

    @Test
    void shouldRefuseAFileWithABadLineWholeNamingTheLine() throws IOException {
        Path file = Files.writeString(dir.resolve("stop.txt"), "+12025550101\n202-555-0102\n");
        assertThatThrownBy(() -> list.importFile(file)).hasMessageContaining("stop.txt line 2")
                .hasMessageContaining("'202-555-0102' is not in E.164 form");
        assertThat(list.size()).as("nothing merged from a refused file").isZero();
    }
}
