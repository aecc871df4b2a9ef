package dev.pacer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.audit.AuditFiles;
import dev.pacer.audit.CampaignReport;
import dev.pacer.audit.ReportReader;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "report", description = "Prints the report of a campaign (by name or instance id), from the running server, or "
        + "from the local database when no server answers; with --out writes its audit files: report.json, messages.csv "
        + "(every message's outcome), chart.svg and chart.png.")
class ReportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CAMPAIGN")
    String campaign;

    @Option(names = "--json", paramLabel = "OUT", description = "write the report as JSON to OUT")
    Path json;

    @Option(names = "--out", paramLabel = "DIR", description = "write the audit files into DIR")
    Path out;

    @Option(names = "--local", description = "read the local database (pacer.data-dir) and ask no server")
    boolean localOnly;

    @Mixin
    ServerOptions server;

    @Unmatched
    List<String> springArgs = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        return localOnly ? local() : server.run(springArgs, this::remote, this::local);
    }

    private int remote(ServerClient client) throws IOException {
        String base = "/api/campaigns/" + ServerClient.encode(campaign);
        JsonNode given = client.getJson(base + "/report");
        CampaignReport report = ServerJson.MAPPER.treeToValue(given, CampaignReport.class);
        if (out != null) {
            Files.createDirectories(out);
            Files.write(out.resolve(AuditFiles.CHART_SVG), client.getBytes(base + "/chart.svg"));
            Files.write(out.resolve(AuditFiles.CHART_PNG), client.getBytes(base + "/chart.png"));
            Files.write(out.resolve(AuditFiles.MESSAGES), client.getBytes(base + "/messages.csv"));
            // linking the chart beside it, as `run` writes it
            ObjectNode linked = ((ObjectNode) given.deepCopy()).put("chart", AuditFiles.CHART_SVG);
            ServerJson.MAPPER.writeValue(out.resolve(AuditFiles.REPORT).toFile(), linked);
            report = report.withChart(out.resolve(AuditFiles.CHART_SVG).toString());
        } else if (report.chart() != null && report.chart().startsWith("/")) {
            report = report.withChart(client.base().toString().replaceAll("/+$", "") + report.chart());
        }
        System.out.print(report.toText());
        if (json != null) {
            ServerJson.MAPPER.writeValue(json.toFile(), given);
        }
        return 0;
    }

    private int local() throws IOException {
        try (ConfigurableApplicationContext context = Engine.start(false, Engine.historyOnly(springArgs))) {
            ReportReader reader = context.getBean(ReportReader.class);
            var id = reader.findCampaign(campaign);
            if (id.isEmpty()) {
                System.err.println("no campaign named '" + campaign + "' in the history tables");
                return 1;
            }
            CampaignReport report = reader.read(id.get());
            if (out != null) {
                report = AuditFiles.write(reader, report, out, Engine.json(context));
            }
            System.out.print(report.toText());
            if (json != null) {
                Engine.json(context).writeValue(json.toFile(), report);
            }
            return 0;
        }
    }
}
