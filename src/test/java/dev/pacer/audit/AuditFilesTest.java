package dev.pacer.audit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AuditFilesTest {

    @Test
    void shouldKeepACampaignsFolderInsideTheReportsFolder() {
        assertThat(AuditFiles.folderName("appointment-reminders_2026.11")).isEqualTo("appointment-reminders_2026.11");
        assertThat(AuditFiles.folderName("../../etc")).isEqualTo(".._.._etc");
        assertThat(AuditFiles.folderName("a/b c")).isEqualTo("a_b_c");
        assertThat(AuditFiles.folderName("..")).isEqualTo("_..");
        assertThat(AuditFiles.folderName("Zoë")).isEqualTo("Zo_");
    }
}
