package dev.pacer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pacer.campaign.Audience;
import dev.pacer.campaign.CampaignSpec;
import dev.pacer.campaign.InvalidCampaignException;
import dev.pacer.campaign.Recipient;
import dev.pacer.flow.CampaignVariables;
import dev.pacer.flow.Processes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code pacer submit FILE}: starts a campaign file on the running server and returns. The server
 * reads no file of this machine, so a {@code recipientsFile} is read here (resolved as {@code run}
 * resolves it) and its rows go to the server inline, as {@code recipients}.
 */
@Command(name = "submit", description = "Starts a campaign file on the running server and returns; `pacer status NAME` follows it. "
        + "The recipients' CSV is read here and sent with the campaign.")
class SubmitCommand implements Callable<Integer> {

    /** How the server's check of a campaign begins its refusal ({@code ValidateCampaign}). */
    private static final String REFUSED = "campaign refused: ";

    @Parameters(index = "0", paramLabel = "FILE", description = "the campaign file (JSON)")
    Path file;

    @Option(names = "--again", description = "send a campaign that has already run again, under the same name")
    boolean again;

    @Option(names = "--server-dir", paramLabel = "DIR", description = "leave recipientsFile to the server, which reads it from DIR "
            + "inside its audience folder (pacer.audience-dir); for an audience too big to send inline")
    String serverDir;

    @Mixin
    ServerOptions server;

    @Unmatched
    List<String> springArgs = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        ObjectNode campaign;
        String name;
        try {
            CampaignFile given = CampaignFile.read(file);
            // the server says whether it has the accounts the file names; everything else is checked here first
            CampaignSpec spec = given.spec(given.accountsNamed(), Instant.now());
            campaign = (ObjectNode) ServerJson.STRICT.readTree(given.json());
            name = spec.name();
            if (spec.recipientsFile() != null && serverDir == null) {
                Audience.scan(spec);
                campaign.remove("recipientsFile");
                campaign.set("recipients", inline(spec));
            }
        } catch (InvalidCampaignException e) {
            System.err.println("invalid campaign " + file + ": " + e.getMessage());
            return PacerCommand.INVALID;
        }
        ObjectNode variables = ServerJson.STRICT.createObjectNode();
        variables.set(CampaignVariables.CAMPAIGN.name(), ServerJson.STRICT.createObjectNode().put("type", "Json").put("value", campaign.toString()));
        if (again) {
            variables.set(CampaignVariables.AGAIN.name(), ServerJson.STRICT.createObjectNode().put("type", "Boolean").put("value", true));
        }
        if (serverDir != null) {
            variables.set(CampaignVariables.CAMPAIGN_DIR.name(), ServerJson.STRICT.createObjectNode().put("type", "String").put("value", serverDir));
        }
        ObjectNode body = ServerJson.STRICT.createObjectNode().put("businessKey", name);
        body.set("variables", variables);
        return server.run(springArgs, client -> {
            JsonNode started;
            try {
                started = client.postJson("/engine-rest/process-definition/key/" + Processes.CAMPAIGN + "/start", body);
            } catch (ServerClient.Refused e) {
                // the server's own check of the campaign (a 400, a 409 for a name that runs, or the 500 the engine
                // wraps it in): what it says, without the engine's preamble; exit as `run` does for a refused campaign
                String said = e.getMessage();
                int at = said.indexOf(REFUSED);
                if (at < 0) {
                    throw e;
                }
                System.err.println("campaign " + name + " refused by " + client.base() + ": " + said.substring(at + REFUSED.length()));
                return PacerCommand.INVALID;
            }
            String id = started.path("id").asText();
            System.out.println("campaign " + name + " started on " + client.base() + " (instance " + id + "); `pacer status "
                    + name + "` shows how far it has come, `pacer report " + name + "` its report");
            return 0;
        }, null);
    }

    /** The CSV's rows as the inline {@code recipients} list: the same fields, blank ones left out as the CSV reader leaves them. */
    private static ArrayNode inline(CampaignSpec spec) {
        ArrayNode rows = ServerJson.STRICT.createArrayNode();
        try (Audience audience = Audience.open(spec)) {
            while (audience.hasNext()) {
                Recipient r = audience.next();
                ObjectNode row = rows.addObject();
                String to = r.fields().get("to");
                if (to != null) {
                    row.put("to", to);
                }
                r.fields().forEach((k, v) -> {
                    if (!k.equals("to")) {
                        row.put(k, v);
                    }
                });
            }
        }
        return rows;
    }
}
