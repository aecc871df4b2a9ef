package dev.pacer.bench;

import dev.pacer.cli.Engine;
import dev.pacer.cli.PacerCommand;
import dev.pacer.provider.MessageSender;
import dev.pacer.provider.Providers;
import dev.pacer.provider.SimulatorScenario;
import dev.pacer.system.PacerApplication;
import dev.pacer.throttle.Pacer;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code pacer-bench}: the {@code pacer} command line plus the benchmark suite's commands
 * ({@code docs/benchmarks.md}). Built by the Maven profile {@code bench} into {@code target/pacer-bench.jar};
 * its runs of Pacer ({@code pacer run} in fresh JVMs) go to the built-in simulator.
 */
public final class PacerBench {

    private PacerBench() {
    }

    public static void main(String[] args) {
        PacerApplication.prepare();
        CommandLine cli = PacerCommand.commandLine();
        for (Object command : List.of(new Bench(), new BenchSendPath(), new BenchTimers(), new BenchLimits(), new BenchProviders(), new BenchQueue(), new BenchCrash(), new BenchReceipts())) {
            cli.addSubcommand(command);
        }
        System.exit(cli.execute(args));
    }

    /** The send path without the engine: no job executor, and the providers do send. */
    static List<String> sendPathArgs(List<String> springArgs) {
        List<String> args = new ArrayList<>(springArgs);
        args.add("--camunda.bpm.job-execution.enabled=false");
        return args;
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
            System.out.print(suite.run(List.of(SimulatorScenario.KNOWN_LIMIT, SimulatorScenario.LIMIT_UNKNOWN),
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
            try (ConfigurableApplicationContext context = Engine.start(false, sendPathArgs(springArgs))) {
                System.out.println(new SendPathBenchmark(context.getBean(Pacer.class), context.getBean(Providers.class),
                        context.getBean(MessageSender.class)).run(Math.max(500, messages / 5), messages, threads));
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
            try (ConfigurableApplicationContext context = Engine.start(false, springArgs)) {
                System.out.println(new TimerBenchmark(context.getBean(RepositoryService.class), context.getBean(RuntimeService.class),
                        context.getBean(HistoryService.class)).run(count, delay));
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
        List<SimulatorScenario> scenarios = new ArrayList<>();

        @Option(names = "--java-option", description = "options for the JVMs the campaigns run in")
        List<String> javaOptions = new ArrayList<>(List.of("-Xmx1g"));

        @Override
        public Integer call() throws Exception {
            List<SimulatorScenario> which = scenarios.isEmpty()
                    ? List.of(SimulatorScenario.values()) : scenarios;
            System.out.print(new LimitsBenchmark(messages, rate, runs, javaOptions, System.err).run(which));
            return 0;
        }
    }

    @Command(name = "bench-providers", description = "Runs one campaign through each provider's simulator (Bandwidth, Twilio, "
            + "Genesys Cloud), each hostile in its own way, side by side (docs/benchmarks.md).")
    static class BenchProviders implements Callable<Integer> {
        @Option(names = "--messages", defaultValue = "600")
        int messages;

        @Option(names = "--runs", defaultValue = "3")
        int runs;

        @Option(names = "--rate", defaultValue = "1200", description = "the providers' true rate, segments per minute")
        int rate;

        @Option(names = "--java-option", description = "options for the JVMs the campaigns run in")
        List<String> javaOptions = new ArrayList<>(List.of("-Xmx1g"));

        @Override
        public Integer call() throws Exception {
            System.out.print(new ProvidersBenchmark(messages, rate, runs, javaOptions, System.err).run());
            return 0;
        }
    }

    @Command(name = "bench-crash", description = "Kills a node (SIGKILL) mid-campaign and starts it again on its database: "
            + "messages lost, sent twice, in doubt and how each was settled (docs/cluster.md).")
    static class BenchCrash implements Callable<Integer> {
        @Option(names = "--runs", defaultValue = "3")
        int runs;

        @Option(names = "--messages", defaultValue = "600")
        int messages;

        @Option(names = "--rate", defaultValue = "1200", description = "the provider's rate, segments per minute")
        int rate;

        @Override
        public Integer call() throws Exception {
            System.out.print(new CrashBenchmark(System.err).run(runs, messages, rate));
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

    @Command(name = "bench-receipts", description = "Receipts handled per second by pacer serve, and a campaign meeting a provider's "
            + "daily cap: messages sent into it and after its first receipt, without and with a daily-quota (docs/benchmarks.md).")
    static class BenchReceipts implements Callable<Integer> {
        @Option(names = "--runs", defaultValue = "3")
        int runs;

        @Option(names = "--messages", defaultValue = "2000", description = "messages whose receipts are posted at once")
        int messages;

        @Option(names = "--posters", defaultValue = "8", description = "threads posting receipts")
        int posters;

        @Option(names = "--cap-messages", defaultValue = "300", description = "messages in the daily-cap campaign")
        int capMessages;

        @Option(names = "--cap", defaultValue = "100", description = "the provider's daily cap")
        int cap;

        @Option(names = "--cap-rate", defaultValue = "1200", description = "the account's rate in the daily-cap runs, segments per minute")
        int capRate;

        @Option(names = "--receipt-delay", defaultValue = "PT2S", description = "how long after a send its receipt comes in the daily-cap runs")
        java.time.Duration delay;

        @Override
        public Integer call() throws Exception {
            ReceiptsBenchmark bench = new ReceiptsBenchmark(System.err);
            System.out.print(bench.throughput(runs, messages, posters) + "\n" + bench.dailyCap(runs, capMessages, cap, capRate, delay));
            return 0;
        }
    }
}
