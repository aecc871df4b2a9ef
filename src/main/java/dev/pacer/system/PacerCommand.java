package dev.pacer.system;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.pacer.audit.AuditFiles;
import dev.pacer.audit.CampaignReport;
import dev.pacer.audit.MessageTrail;
import dev.pacer.audit.TrailReader;
import dev.pacer.audit.ReportReader;
import dev.pacer.throttle.Pacer;
import dev.pacer.campaign.InvalidCampaignException;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** The {@code pacer} command line. Arguments it does not know ({@code --spring.x=y}) go to Spring. */
@Command(name = "pacer", mixinStandardHelpOptions = true, version = "pacer 0.1.0",
        description = "Runs outbound messaging campaigns through rate-limited provider APIs.",
        subcommands = {PacerCommand.Run.class, PacerCommand.Serve.class, PacerCommand.Report.class, PacerCommand.Trail.class, PacerCommand.Pause.class,
                PacerCommand.Resume.class, PacerCommand.Cancel.class, PacerCommand.Bench.class, PacerCommand.BenchSendPath.class, PacerCommand.BenchTimers.class, PacerCommand.BenchLimits.class,
                PacerCommand.BenchQueue.class})
class PacerCommand implements Runnable {

    static final int INVALID = 2;

    @Override
    public void run() {
        System.err.println("Give a command: run FILE, serve, pause|resume|cancel NAME, or report CAMPAIGN (--help for more).");
    }

    /** Without a web server the REST API and Cockpit have nothing to run in, so they are left out. */
    static final String NO_WEB = "org.camunda.bpm.spring.boot.starter.webapp.CamundaBpmWebappAutoConfiguration,"
            + "org.camunda.bpm.spring.boot.starter.rest.CamundaBpmRestJerseyAutoConfiguration";

    static ConfigurableApplicationContext start(boolean web, List<String> springArgs) {
        SpringApplicationBuilder builder = new SpringApplicationBuilder(PacerApplication.class)
                .web(web ? WebApplicationType.SERVLET : WebApplicationType.NONE);
        if (!web) {
            builder.properties("spring.autoconfigure.exclude=" + NO_WEB);
        }
        return builder.run(springArgs.toArray(String[]::new));
    }

    static ObjectMapper reportJson(ConfigurableApplicationContext context) {
        return context.getBean(ObjectMapper.class).copy().enable(SerializationFeature.INDENT_OUTPUT);
    }

    @Command(name = "run", description = "Runs one campaign to completion against the configured providers and prints its report.")
    static class Run implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE", description = "the campaign file (JSON)")
        Path file;

        @Option(names = "--report-json", paramLabel = "OUT", description = "also write the report as JSON to OUT")
        Path reportJson;

        @Option(names = "--out", paramLabel = "DIR", description = "where the audit files go: report.json, messages.csv, "
                + "chart.svg, chart.png (default: reports/NAME beside the data directory)")
        Path out;

        @Option(names = "--simulator-json", paramLabel = "OUT", hidden = true,
                description = "write the built-in simulators' score (requests inside a told wait, lockouts...) as JSON to OUT")
        Path simulatorJson;

        @Option(names = "--metrics-json", paramLabel = "OUT", hidden = true,
                description = "write the heap's peak and the real-time probes' latencies as JSON to OUT")
        Path metricsJson;

        @Option(names = "--realtime-probes", hidden = true, defaultValue = "0",
                description = "submit this many real-time messages, one a second, from 5 s after the start")
        int probes;

        @Unmatched
        List<String> springArgs = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            String json;
            try {
                json = Files.readString(file, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                System.err.println("invalid campaign: no such file " + file);
                return INVALID;
            }
            Path dir = file.toAbsolutePath().getParent();
            try (ConfigurableApplicationContext context = start(false, springArgs); RunMetrics metrics = new RunMetrics()) {
                CampaignRunner runner = context.getBean(CampaignRunner.class);
                String id;
                try {
                    id = runner.start(json, dir);
                } catch (InvalidCampaignException e) {
                    System.err.println("invalid campaign " + file + ": " + e.getMessage());
                    return INVALID;
                }
                if (probes > 0) {
                    metrics.probe(context.getBean(org.camunda.bpm.engine.RuntimeService.class), probes, java.time.Duration.ofSeconds(5),
                            java.time.Duration.ofSeconds(1), new ObjectMapper().readTree(json).path("from").asText());
                }
                Providers providers = context.getBean(Providers.class);
                String scope = providers.endpoint(providers.names().iterator().next()).scope();
                Pacer pacer = context.getBean(Pacer.class);
                PacerMetrics live = context.getBean(PacerMetrics.class);
                CampaignReport report = runner.awaitEnd(id, new ProgressPrinter(System.out, System.console() != null, live::read,
                        pacer::view, scope));
                System.out.println();
                if (metricsJson != null) {
                    // before the audit files are written, so the CPU and heap figures are the campaign's
                    var history = context.getBean(org.camunda.bpm.engine.HistoryService.class);
                    metrics.awaitProbes(history, probes);
                    reportJson(context).writeValue(metricsJson.toFile(), metrics.snapshot(history));
                }
                if (simulatorJson != null) {
                    Map<String, Object> scores = new LinkedHashMap<>();
                    providers.names().forEach(n -> providers.simulator(n).ifPresent(sim -> scores.put(n, sim.stats())));
                    reportJson(context).writeValue(simulatorJson.toFile(), scores);
                }
                Path audit = out != null ? out : Path.of(context.getEnvironment().getProperty("pacer.data-dir", "./data"))
                        .toAbsolutePath().normalize().resolveSibling("reports").resolve(AuditFiles.folderName(report.campaign()));
                String written;
                try {
                    report = AuditFiles.write(context.getBean(ReportReader.class), report, audit, reportJson(context));
                    written = "  report, per-message CSV and chart written to " + audit;
                } catch (IOException | RuntimeException e) {
                    // the campaign is done and its report is in history: say so, and how to write the files again
                    written = "  the audit files could not be written to " + audit + " (" + e.getMessage() + "); `pacer report "
                            + report.campaign() + " --out DIR` writes them from history";
                }
                System.out.print(report.toText());
                System.out.println(written);
                if (reportJson != null) {
                    reportJson(context).writeValue(reportJson.toFile(), report);
                    System.out.println("  report written to " + reportJson);
                }
                return report.pending() == 0 ? 0 : 1;
            }
        }
    }

    @Command(name = "serve", description = "Keeps the engine up: Camunda REST at /engine-rest and Cockpit at /camunda.")
    static class Serve implements Callable<Integer> {
        @Unmatched
        List<String> springArgs = new ArrayList<>();

        @Override
        public Integer call() throws InterruptedException {
            ConfigurableApplicationContext context = start(true, springArgs);
            Thread.currentThread().join();
            context.close();
            return 0;
        }
    }

    /**
     * Pause, resume and cancel: a BPMN message to the running campaign through the server's Camunda
     * REST API ({@code POST /engine-rest/message}), correlated by the campaign's name.
     */
    abstract static class Control implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME", description = "the running campaign's name")
        String campaign;

        @Option(names = "--server", defaultValue = "http://127.0.0.1:8080", description = "the Pacer server (default: ${DEFAULT-VALUE})")
        URI server;

        private final String message;
        private final String done;

        Control(String message, String done) {
            this.message = message;
            this.done = done;
        }

        @Override
        public Integer call() throws InterruptedException {
            String body = new ObjectMapper().createObjectNode().put("messageName", message).put("businessKey", campaign).toString();
            HttpRequest request = HttpRequest.newBuilder(server.resolve("/engine-rest/message"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
            HttpResponse<String> response;
            try {
                response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
                // The message meets the campaign instance while its own jobs run: the engine refuses one
                // of two concurrent updates (optimistic locking), and the message is simply sent again.
                for (int attempt = 1; attempt < 20 && response.statusCode() == 500 && response.body().contains("OptimisticLocking"); attempt++) {
                    Thread.sleep(50L * attempt);
                    response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
                }
            } catch (IOException e) {
                System.err.println("no Pacer server answers at " + server + " (start one with `pacer serve`): " + e);
                return 1;
            }
            if (response.statusCode() / 100 == 2) {
                System.out.println("campaign " + campaign + " " + done);
                return 0;
            }
            String said = response.body();
            try {
                said = new ObjectMapper().readTree(response.body()).path("message").asText(said);
            } catch (IOException e) {
                // not JSON: show it as it came
            }
            if (said.contains("No process definition or execution matches")) {
                System.err.println("no running campaign named '" + campaign + "' on " + server);
            } else {
                System.err.println("the server refused (HTTP " + response.statusCode() + "): " + said);
            }
            return 1;
        }
    }

    @Command(name = "pause", description = "Pauses a running campaign: no new sends start; requests in flight finish.")
    static class Pause extends Control {
        Pause() {
            super(CampaignControl.PAUSE, "paused");
        }
    }

    @Command(name = "resume", description = "Resumes a paused campaign at its scopes' pace, without a burst.")
    static class Resume extends Control {
        Resume() {
            super(CampaignControl.RESUME, "resumed");
        }
    }

    @Command(name = "cancel", description = "Cancels a campaign: every message not yet sent ends CANCELLED.")
    static class Cancel extends Control {
        Cancel() {
            super(CampaignControl.CANCEL, "cancelled");
        }
    }

    @Command(name = "report", description = "Prints the report of a campaign (by name or instance id) from the history tables, "
            + "and with --out writes its audit files: report.json, messages.csv (every message's outcome), chart.svg and chart.png.")
    static class Report implements Callable<Integer> {
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
            try (ConfigurableApplicationContext context = start(false, historyOnly(springArgs))) {
                ReportReader reader = context.getBean(ReportReader.class);
                var id = reader.findCampaign(campaign);
                if (id.isEmpty()) {
                    System.err.println("no campaign named '" + campaign + "' in the history tables");
                    return 1;
                }
                CampaignReport report = reader.read(id.get());
                if (out != null) {
                    report = AuditFiles.write(reader, report, out, reportJson(context));
                }
                System.out.print(report.toText());
                if (json != null) {
                    reportJson(context).writeValue(json.toFile(), report);
                }
                return 0;
            }
        }
    }

    /** Reading history needs the engine without its job executor: no flow moves on while the report is read. */
    static List<String> historyOnly(List<String> springArgs) {
        List<String> args = new ArrayList<>(springArgs);
        args.add("--camunda.bpm.job-execution.enabled=false");
        return args;
    }

    @Command(name = "trail", description = "Prints one message's path from the history tables: each send attempt with the provider's "
            + "answer, each wait with its reason and length, and the outcome. A campaign's message by the campaign and the number; "
            + "a message submitted on its own by its business key or process instance id.")
    static class Trail implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "CAMPAIGN|MESSAGE", description = "the campaign's name or instance id; or, alone, the "
                + "message's business key or process instance id")
        String first;

        @Parameters(index = "1", paramLabel = "NUMBER", arity = "0..1", description = "the recipient's number, E.164 (+12025550123)")
        String number;

        @Option(names = "--json", description = "print the trail as JSON")
        boolean json;

        @Unmatched
        List<String> springArgs = new ArrayList<>();

        @Override
        public Integer call() throws IOException {
            try (ConfigurableApplicationContext context = start(false, historyOnly(springArgs))) {
                TrailReader trails = context.getBean(TrailReader.class);
                Optional<MessageTrail> trail;
                if (number == null) {
                    trail = trails.findMessage(first).flatMap(trails::read);
                    if (trail.isEmpty()) {
                        System.err.println("no message with the business key or instance id '" + first + "' in the history tables");
                        return 1;
                    }
                } else {
                    var id = context.getBean(ReportReader.class).findCampaign(first);
                    if (id.isEmpty()) {
                        System.err.println("no campaign named '" + first + "' in the history tables");
                        return 1;
                    }
                    trail = trails.findMessage(id.get(), number).flatMap(trails::read);
                    if (trail.isEmpty()) {
                        System.err.println("campaign '" + first + "' has no message to " + number);
                        return 1;
                    }
                }
                System.out.print(json ? reportJson(context).writeValueAsString(trail.get()) + "\n" : trail.get().toText());
                return 0;
            }
        }
    }

    @Command(name = "bench", description = "The benchmark suite (docs/benchmarks.md): Pacer against the naive loop, Camel and "
            + "resilience4j with the limit known and unknown; the orchestrator's ceiling; timer lateness and start-up. Prints Markdown tables.")
    static class Bench implements Callable<Integer> {
        /** The simulators' Tomcat logs through java.util.logging, which keeps loggers only while they are referenced. */
        private static final java.util.logging.Logger SIMULATOR_LOG = java.util.logging.Logger.getLogger("org.apache");

        @Option(names = "--runs", defaultValue = "3", description = "runs of each figure (default: ${DEFAULT-VALUE})")
        int runs;

        @Option(names = "--messages", defaultValue = "300", description = "messages in the comparison's campaign (default: ${DEFAULT-VALUE})")
        int messages;

        @Option(names = "--rate", defaultValue = "3000", description = "the provider's true rate, segments per minute (default: ${DEFAULT-VALUE})")
        int rate;

        @Option(names = "--ceiling-messages", defaultValue = "3000", description = "messages in each ceiling run (default: ${DEFAULT-VALUE})")
        int ceilingMessages;

        @Option(names = "--only", description = "only these parts: comparison, ceiling, timers (default: all)")
        List<String> only = new ArrayList<>();

        @Option(names = "--java-option", description = "options for the JVMs Pacer runs in")
        List<String> javaOptions = new ArrayList<>(List.of("-Xmx1g"));

        @Override
        public Integer call() throws Exception {
            List<String> parts = only.isEmpty() ? List.of("comparison", "ceiling", "timers") : only;
            // the baselines run in this JVM without Spring: keep their libraries' chatter out of the tables
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                    .setLevel(ch.qos.logback.classic.Level.WARN);
            SIMULATOR_LOG.setLevel(java.util.logging.Level.SEVERE);
            BenchmarkSuite suite = new BenchmarkSuite(messages, rate, runs, ceilingMessages, javaOptions, System.err);
            System.out.print(suite.run(List.of(dev.pacer.provider.SimulatorScenario.KNOWN_LIMIT, dev.pacer.provider.SimulatorScenario.LIMIT_UNKNOWN),
                    parts.contains("comparison"), parts.contains("ceiling"), parts.contains("timers")));
            return 0;
        }
    }

    @Command(name = "bench-send-path", hidden = true, description = "Pumps messages through the pacer, the provider route and HTTP "
            + "without the process engine, and prints messages per second and CPU use (run by bench's ceiling part).")
    static class BenchSendPath implements Callable<Integer> {
        @Option(names = "--messages", defaultValue = "3000")
        int messages;

        @Option(names = "--threads", defaultValue = "8")
        int threads;

        @Unmatched
        List<String> springArgs = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            try (ConfigurableApplicationContext context = start(false, historyOnly(springArgs))) {
                System.out.println(new SendPathBenchmark(context.getBean(Pacer.class), context.getBean(Providers.class),
                        context.getBean(dev.pacer.provider.MessageSender.class)).run(Math.max(500, messages / 5), messages, threads));
                return 0;
            }
        }
    }

    @Command(name = "bench-timers", description = "Measures how late BPMN timers fire with the configured job executor.")
    static class BenchTimers implements Callable<Integer> {
        @Option(names = "--count", defaultValue = "200")
        int count;

        @Option(names = "--delay", defaultValue = "PT1S")
        java.time.Duration delay;

        @Unmatched
        List<String> springArgs = new ArrayList<>();

        @Override
        public Integer call() throws InterruptedException {
            try (ConfigurableApplicationContext context = start(false, springArgs)) {
                System.out.println(context.getBean(TimerBenchmark.class).run(count, delay));
                return 0;
            }
        }
    }

    @Command(name = "bench-limits", description = "Runs a campaign against each hostile simulator scenario, several times, "
            + "each in a fresh JVM, and prints the table of docs/benchmarks.md.")
    static class BenchLimits implements Callable<Integer> {
        @Option(names = "--messages", defaultValue = "2000")
        int messages;

        @Option(names = "--runs", defaultValue = "3")
        int runs;

        @Option(names = "--rate", defaultValue = "3000", description = "the providers' true rate, segments per minute")
        int rate;

        @Option(names = "--scenario", description = "only these scenarios (default: all)")
        List<dev.pacer.provider.SimulatorScenario> scenarios = new ArrayList<>();

        @Option(names = "--java-option", description = "options for the JVMs the campaigns run in")
        List<String> javaOptions = new ArrayList<>(List.of("-Xmx1g"));

        @Override
        public Integer call() throws Exception {
            List<dev.pacer.provider.SimulatorScenario> which = scenarios.isEmpty()
                    ? List.of(dev.pacer.provider.SimulatorScenario.values()) : scenarios;
            System.out.print(new LimitsBenchmark(messages, rate, runs, javaOptions, System.err).run(which));
            return 0;
        }
    }

    @Command(name = "bench-queue", description = "Measures the real-time lane's latency under a saturating bulk campaign, and a big "
            + "campaign's heap, database size, first send and sustained rate with the heap capped (docs/benchmarks.md).")
    static class BenchQueue implements Callable<Integer> {
        @Option(names = "--realtime-runs", defaultValue = "3")
        int realtimeRuns;

        @Option(names = "--bulk", defaultValue = "1000", description = "bulk messages in the real-time runs")
        int bulk;

        @Option(names = "--rate", defaultValue = "1200", description = "the provider's rate in the real-time runs, segments per minute")
        int rate;

        @Option(names = "--probes", defaultValue = "30", description = "real-time messages per run")
        int probes;

        @Option(names = "--big-runs", defaultValue = "1")
        int bigRuns;

        @Option(names = "--recipients", defaultValue = "100000", description = "recipients in the big campaign")
        int recipients;

        @Option(names = "--heap", defaultValue = "512m", description = "the big campaign's -Xmx")
        String heap;

        @Override
        public Integer call() throws Exception {
            QueueBenchmark bench = new QueueBenchmark(System.err);
            StringBuilder out = new StringBuilder();
            if (realtimeRuns > 0) {
                out.append(bench.realtime(realtimeRuns, bulk, rate, probes)).append('\n');
            }
            if (bigRuns > 0) {
                out.append(bench.big(bigRuns, recipients, heap));
            }
            System.out.print(out);
            return 0;
        }
    }
}
