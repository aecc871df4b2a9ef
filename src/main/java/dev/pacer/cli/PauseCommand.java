package dev.pacer.cli;

import dev.pacer.flow.Processes;
import picocli.CommandLine.Command;

/** {@code pacer pause NAME}. */
@Command(name = "pause", description = "Pauses a running campaign (by name or instance id): no new sends start; requests in flight finish.")
class PauseCommand extends ControlCommand {

    PauseCommand() {
        super(Processes.PAUSE, "pause", dev.pacer.flow.CampaignState.PAUSED, "paused");
    }
}
