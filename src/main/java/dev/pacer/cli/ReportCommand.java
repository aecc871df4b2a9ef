package dev.pacer.cli;

import dev.pacer.audit.AuditFiles;
import dev.pacer.audit.CampaignReport;
import dev.pacer.audit.ReportReader;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "report", description = "Prints the report of a campaign (by name or instance id) from the history tables, "
        + "and with --out writes its audit files: report.json, messages.csv (every message's outcome), chart.svg and chart.png.")
class ReportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CAMPAIGN")
    String campaign;

    @Option(names = "--json", paramLabel = "OUT", description = "write the report as JSON to OUT")
    Path json;

    @Option(names = "--out", paramLabel = "DIR", description = "write the audit files into DIR")
    Path out;

    @Unmatched
    List<String> springArgs = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
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
