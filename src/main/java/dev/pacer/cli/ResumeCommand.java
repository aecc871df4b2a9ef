package dev.pacer.cli;

import dev.pacer.flow.Processes;
import picocli.CommandLine.Command;

/** {@code pacer resume NAME}. */
@Command(name = "resume", description = "Resumes a paused campaign (by name or instance id) at its scopes' pace, without a burst.")
class ResumeCommand extends ControlCommand {

    ResumeCommand() {
        super(Processes.RESUME, "resume", dev.pacer.flow.CampaignState.RUNNING, "resumed");
    }
}
