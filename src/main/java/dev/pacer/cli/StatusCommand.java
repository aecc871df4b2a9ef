package dev.pacer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pacer.api.CampaignStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code pacer status [CAMPAIGN]}: the campaigns running on the server, or one campaign, with how far each has come. */
@Command(name = "status", description = "Shows the campaigns running on the server (or one campaign, by name or instance id, "
        + "running or finished): state, messages done of all, in flight, outcomes so far.")
class StatusCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "CAMPAIGN", description = "a campaign's name or instance id")
    String campaign;

    @Option(names = "--json", description = "print the status as JSON")
    boolean json;

    @Mixin
    ServerOptions server;

    @Unmatched
    List<String> springArgs = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        return server.run(springArgs, this::remote, null);
    }

    private int remote(ServerClient client) throws Exception {
        JsonNode answer = client.getJson(campaign == null ? "/api/campaigns" : "/api/campaigns/" + ServerClient.encode(campaign) + "/status");
        if (json) {
            System.out.println(ServerJson.MAPPER.writeValueAsString(answer));
            return 0;
        }
        List<CampaignStatus> all = new ArrayList<>();
        if (answer.isArray()) {
            for (JsonNode one : answer) {
                all.add(ServerJson.MAPPER.treeToValue(one, CampaignStatus.class));
            }
        } else {
            all.add(ServerJson.MAPPER.treeToValue(answer, CampaignStatus.class));
        }
        if (all.isEmpty()) {
            System.out.println("no campaign is running on " + client.base());
        }
        Instant now = Instant.now();
        all.forEach(s -> System.out.print(text(s, now)));
        return 0;
    }

    /** Two lines: name, state and progress; then the outcomes so far. */
    static String text(CampaignStatus s, Instant now) {
        StringBuilder b = new StringBuilder();
        double share = s.messages() == 0 ? 0 : 100.0 * s.done() / s.messages();
        b.append(String.format(Locale.ROOT, "%s  %s  %d/%d messages done (%.0f%%), %d in flight", s.campaign(), s.state(), s.done(),
                s.messages(), share, s.inFlight()));
        if (s.endedAt() != null) {
            b.append(", finished ").append(s.endedAt());
        } else {
            b.append(", started ").append(s.startedAt()).append(" (").append(ago(Duration.between(s.startedAt(), now))).append(" ago)");
        }
        b.append("  [").append(s.campaignId()).append("]\n");
        if (s.simulated()) {
            b.append("  SIMULATED: sent to the built-in simulator; no recipient gets a message\n");
        }
        if (s.pauseReason() != null) {
            b.append("  paused because ").append(s.pauseReason()).append('\n');
        }
        if (!s.outcomes().isEmpty()) {
            b.append("  outcomes ");
            s.outcomes().forEach((k, v) -> b.append(' ').append(k).append(' ').append(v).append(' '));
            b.setLength(b.length() - 1);
            b.append('\n');
        }
        return b.toString();
    }

    private static String ago(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s < 120 ? s + " s" : s < 7200 ? s / 60 + " min" : s / 3600 + " h";
    }
}
