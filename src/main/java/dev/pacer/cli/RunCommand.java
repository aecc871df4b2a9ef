package dev.pacer.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.pacer.audit.AuditFiles;
import dev.pacer.audit.CampaignReport;
import dev.pacer.audit.ReportReader;
import dev.pacer.campaign.CampaignRunner;
import dev.pacer.campaign.InvalidCampaignException;
import dev.pacer.campaign.TextFiles;
import dev.pacer.metrics.PacerMetrics;
import dev.pacer.delivery.CredentialCheck;
import dev.pacer.provider.Providers;
import dev.pacer.throttle.Pacer;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code pacer run FILE}: one campaign to its end in this JVM, with a progress line, then its report and audit files. */
@Command(name = "run", description = "Runs one campaign to completion against the configured providers and prints its report.")
class RunCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "the campaign file (JSON)")
    Path file;

    @Option(names = "--simulator", description = "send to the built-in simulator instead of the providers' base-url "
            + "(pacer.simulator.enabled=true): nothing reaches a recipient")
    boolean simulator;

    @Option(names = "--again", description = "send a campaign that has already run again, under the same name")
    boolean again;

    @Option(names = "--report-json", paramLabel = "OUT", description = "also write the report as JSON to OUT")
    Path reportJson;

    @Option(names = "--out", paramLabel = "DIR", description = "where the audit files go: report.json, messages.csv, "
            + "chart.svg, chart.png (default: reports/NAME beside the data directory)")
    Path out;

    @Option(names = "--simulator-json", paramLabel = "OUT", hidden = true,
            description = "write the built-in simulators' score (requests inside a told wait, lockouts...) as JSON to OUT")
    Path simulatorJson;

    @Option(names = "--metrics-json", paramLabel = "OUT", hidden = true,
            description = "write the heap's peak, the CPU used and the real-time probes' latencies as JSON to OUT")
    Path metricsJson;

    @Option(names = "--realtime-probes", hidden = true, defaultValue = "0",
            description = "submit this many real-time messages, one a second, from 5 s after the start")
    int probes;

    @Unmatched
    List<String> springArgs = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (!Files.exists(file)) {
            System.err.println("invalid campaign: no such file " + file);
            return PacerCommand.INVALID;
        }
        String json;
        try {
            json = TextFiles.read(file);
        } catch (InvalidCampaignException e) {
            System.err.println("invalid campaign: " + e.getMessage());
            return PacerCommand.INVALID;
        }
        Path dir = file.toAbsolutePath().getParent();
        // the benchmarks' figures, sampled only when asked for
        RunMetrics metrics = metricsJson != null || probes > 0 ? new RunMetrics() : null;
        try (ConfigurableApplicationContext context = Engine.start(false, Engine.simulator(simulator, springArgs))) {
            CampaignRunner runner = context.getBean(CampaignRunner.class);
            Providers providers = context.getBean(Providers.class);
            JsonNode given = readable(json);
            String provider = given.path("provider").asText();
            if (providers.names().contains(provider)) {
                var refused = context.getBean(CredentialCheck.class).refused(provider);
                if (refused.isPresent()) {
                    System.err.println("campaign not started, nothing sent: " + refused.get());
                    return PacerCommand.STOPPED;
                }
            }
            String id;
            try {
                id = runner.start(json, dir, again);
            } catch (InvalidCampaignException e) {
                System.err.println("invalid campaign " + file + ": " + e.getMessage());
                return PacerCommand.INVALID;
            }
            if (probes > 0) {
                metrics.probe(context.getBean(RuntimeService.class), probes, Duration.ofSeconds(5), Duration.ofSeconds(1),
                        given.path("from").asText());
            }
            CampaignReport report = runner.awaitEnd(id, new ProgressPrinter(System.out, System.console() != null,
                    context.getBean(PacerMetrics.class)::read, context.getBean(Pacer.class)::view, providers.account(provider).scope()));
            System.out.println();
            if (metricsJson != null) {
                // before the audit files are written, so the CPU and heap figures are the campaign's
                HistoryService history = context.getBean(HistoryService.class);
                metrics.awaitProbes(history, probes);
                Engine.json(context).writeValue(metricsJson.toFile(), metrics.snapshot(history));
            }
            if (simulatorJson != null) {
                Map<String, Object> scores = new LinkedHashMap<>();
                providers.names().forEach(n -> providers.simulator(n).ifPresent(sim -> scores.put(n, sim.stats())));
                Engine.json(context).writeValue(simulatorJson.toFile(), scores);
            }
            Path audit = out != null ? out : Path.of(context.getEnvironment().getProperty("pacer.data-dir", "./data"))
                    .toAbsolutePath().normalize().resolveSibling("reports").resolve(AuditFiles.folderName(report.campaign()));
            String written;
            try {
                report = AuditFiles.write(context.getBean(ReportReader.class), report, audit, Engine.json(context));
                written = "  report, per-message CSV and chart written to " + audit;
            } catch (IOException | RuntimeException e) {
                // the campaign is done and its report is in history: say so, and how to write the files again
                written = "  the audit files could not be written to " + audit + " (" + e.getMessage() + "); `pacer report "
                        + report.campaign() + " --out DIR` writes them from history";
            }
            System.out.print(report.toText());
            System.out.println(written);
            if (reportJson != null) {
                Engine.json(context).writeValue(reportJson.toFile(), report);
                System.out.println("  report written to " + reportJson);
            }
            var paused = runner.pausedBecause(id);
            if (paused.isPresent()) {
                System.out.println("  campaign PAUSED, not finished: " + paused.get());
                return PacerCommand.STOPPED;
            }
            return report.pending() == 0 ? 0 : 1;
        } finally {
            if (metrics != null) {
                metrics.close();
            }
        }
    }

    /** The campaign's JSON as far as it reads, for the credential check; what does not read is refused by the start that follows. */
    private static JsonNode readable(String json) {
        try {
            return new ObjectMapper().readTree(json);
        } catch (JsonProcessingException e) {
            return MissingNode.getInstance();
        }
    }
}
