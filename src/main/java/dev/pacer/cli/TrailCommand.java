package dev.pacer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pacer.audit.MessageTrail;
import dev.pacer.audit.ReportReader;
import dev.pacer.audit.TrailReader;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "trail", description = "Prints one message's path, from the running server, or from the local database when no "
        + "server answers: each send attempt with the provider's "
        + "answer, each wait with its reason and length, and the outcome. A campaign's message by the campaign and the number; "
        + "a message submitted on its own by its business key or process instance id.")
class TrailCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CAMPAIGN|MESSAGE", description = "the campaign's name or instance id; or, alone, the "
            + "message's business key or process instance id")
    String first;

    @Parameters(index = "1", paramLabel = "NUMBER", arity = "0..1", description = "the recipient's number, E.164 (+12025550123)")
    String number;

    @Option(names = "--json", description = "print the trail as JSON")
    boolean json;

    @Option(names = "--local", description = "read the local database (pacer.data-dir) and ask no server")
    boolean localOnly;

    @Mixin
    ServerOptions server;

    @Unmatched
    List<String> springArgs = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        return localOnly ? local() : server.run(springArgs, this::remote, this::local);
    }

    private int remote(ServerClient client) throws IOException {
        JsonNode trail;
        if (number == null) {
            trail = client.getJson("/api/messages/trail?message=" + URLEncoder.encode(first, StandardCharsets.UTF_8));
        } else {
            trail = client.getJson("/api/campaigns/" + ServerClient.encode(first) + "/messages/" + ServerClient.encode(number) + "/trail");
        }
        System.out.print(json ? ServerJson.MAPPER.writeValueAsString(trail) + "\n"
                : ServerJson.MAPPER.treeToValue(trail, MessageTrail.class).toText());
        return 0;
    }

    private int local() throws IOException {
        try (ConfigurableApplicationContext context = Engine.start(false, Engine.historyOnly(springArgs))) {
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
            System.out.print(json ? Engine.json(context).writeValueAsString(trail.get()) + "\n" : trail.get().toText());
            return 0;
        }
    }
}
