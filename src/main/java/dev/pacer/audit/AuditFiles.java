package dev.pacer.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.jfree.chart.JFreeChart;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A campaign's audit files in one folder: {@code report.json} (linking the chart), {@code messages.csv}
 * (every message's outcome), {@code chart.svg} and {@code chart.png}.
 */
public final class AuditFiles {

    public static final String REPORT = "report.json";
    public static final String MESSAGES = "messages.csv";
    public static final String CHART_SVG = "chart.svg";
    public static final String CHART_PNG = "chart.png";

    private AuditFiles() {
    }

    /**
     * A campaign's name as a folder name: letters, digits, dots, dashes and underscores kept, anything
     * else (a slash, a space) an underscore, so that a name cannot reach outside the reports folder.
     */
    public static String folderName(String campaign) {
        String name = campaign.replaceAll("[^A-Za-z0-9._-]", "_");
        return name.isEmpty() || name.chars().allMatch(c -> c == '.') ? "_" + name : name;
    }

    /** Writes the four files into {@code dir} (created if need be); returns the report, linking the chart. */
    public static CampaignReport write(ReportReader reports, CampaignReport report, Path dir, ObjectMapper json) throws IOException {
        Files.createDirectories(dir);
        JFreeChart chart = CampaignChart.of(CampaignTimeline.read(reports, report.campaignId()));
        try (OutputStream out = Files.newOutputStream(dir.resolve(CHART_SVG))) {
            CampaignChart.writeSvg(chart, out);
        }
        try (OutputStream out = Files.newOutputStream(dir.resolve(CHART_PNG))) {
            CampaignChart.writePng(chart, out);
        }
        try (Writer out = Files.newBufferedWriter(dir.resolve(MESSAGES), StandardCharsets.UTF_8)) {
            MessageExport.write(reports, report.campaignId(), out);
        }
        CampaignReport linked = report.withChart(CHART_SVG);
        json.writeValue(dir.resolve(REPORT).toFile(), linked);
        return linked.withChart(dir.resolve(CHART_SVG).toString());
    }
}
