package dev.pacer.cli;

import dev.pacer.flow.Processes;
import picocli.CommandLine.Command;

/** {@code pacer cancel NAME}. */
@Command(name = "cancel", description = "Cancels a campaign (by name or instance id): every message not yet sent ends CANCELLED.")
class CancelCommand extends ControlCommand {

    CancelCommand() {
        super(Processes.CANCEL, "cancel", dev.pacer.flow.CampaignState.CANCELLED, "cancelled");
    }
}
