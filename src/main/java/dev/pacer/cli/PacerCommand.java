package dev.pacer.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code pacer} command line. Arguments a command does not know ({@code --spring.x=y}) go to Spring. */
@Command(name = "pacer", mixinStandardHelpOptions = true, version = "pacer 0.1.0",
        description = "Runs outbound messaging campaigns through rate-limited provider APIs.",
        subcommands = {RunCommand.class, ServeCommand.class, SubmitCommand.class, StatusCommand.class, ValidateCommand.class,
                ReportCommand.class, TrailCommand.class, PauseCommand.class, ResumeCommand.class, CancelCommand.class,
                SuppressionCommand.class})
public class PacerCommand implements Runnable {

    /** The exit code of a command refused for bad input (an invalid campaign). */
    public static final int INVALID = 2;
    /** The exit code of a campaign that stopped before its end: its provider refused the account (it paused itself). */
    public static final int STOPPED = 3;

    @Override
    public void run() {
        System.err.println("Give a command: run FILE, serve, submit FILE, status, validate FILE, pause|resume|cancel CAMPAIGN, report CAMPAIGN, "
                + "trail or suppression (--help for more).");
    }

    /** The command line, ready to execute: a setting Pacer cannot start with is reported in one line, not a stack trace. */
    public static CommandLine commandLine() {
        return new CommandLine(new PacerCommand()).setCaseInsensitiveEnumValuesAllowed(true)
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
