package dev.pacer.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.List;
import java.util.function.Supplier;

/** The {@code pacer} command line. Arguments a command does not know ({@code --spring.x=y}) go to Spring. */
@Command(name = "pacer", mixinStandardHelpOptions = true, version = "pacer 0.1.0",
        description = "Runs outbound messaging campaigns through rate-limited provider APIs.")
public class PacerCommand implements Runnable {

    /** The commands, by name, in the order the help lists them. */
    private static final List<Named> COMMANDS = List.of(new Named("run", RunCommand::new), new Named("serve", ServeCommand::new),
            new Named("submit", SubmitCommand::new), new Named("status", StatusCommand::new), new Named("validate", ValidateCommand::new),
            new Named("report", ReportCommand::new), new Named("trail", TrailCommand::new), new Named("pause", PauseCommand::new),
            new Named("resume", ResumeCommand::new), new Named("cancel", CancelCommand::new),
            new Named("suppression", SuppressionCommand::new));

    private record Named(String name, Supplier<Object> command) {
    }

    /** The exit code of a command refused for bad input (an invalid campaign). */
    public static final int INVALID = 2;
    /** The exit code of a campaign that stopped before its end: its provider refused the account (it paused itself). */
    public static final int STOPPED = 3;

    @Override
    public void run() {
        System.err.println("Give a command: run FILE, serve, submit FILE, status, validate FILE, pause|resume|cancel CAMPAIGN, report CAMPAIGN, "
                + "trail or suppression (--help for more).");
    }

    /** The command line with every command, ready to execute. */
    public static CommandLine commandLine() {
        return commandLine(COMMANDS);
    }

    /**
     * The command line to execute {@code args} with: only the command they name, when they name one
     * (picocli reads every command's annotations to build one, a quarter of a second of a short
     * command's time in a fresh JVM); every command for the help, or for a name it does not know.
     */
    public static CommandLine commandLine(String... args) {
        String first = args.length == 0 ? "" : args[0];
        return commandLine(COMMANDS.stream().filter(c -> c.name().equals(first)).findFirst().map(List::of).orElse(COMMANDS));
    }

    /** The command line, ready to execute: a setting Pacer cannot start with is reported in one line, not a stack trace. */
    private static CommandLine commandLine(List<Named> commands) {
        CommandLine line = new CommandLine(new PacerCommand());
        commands.forEach(c -> line.addSubcommand(c.name(), c.command().get()));
        return line.setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, command, parsed) -> {
                    Throwable root = e;
                    while (root.getCause() != null && root.getCause() != root) {
                        root = root.getCause();
                    }
                    System.err.println("pacer " + command.getCommandName() + ": " + root.getMessage());
                    return 1;
                });
    }
}
