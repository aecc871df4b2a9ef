package dev.pacer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code pacer suppression list|add|remove|changes}: the server's suppression list ({@code /api/suppression}). */
@Command(name = "suppression", description = "The running server's suppression list: numbers no message is sent to.",
        subcommands = {SuppressionCommand.ListNumbers.class, SuppressionCommand.Add.class, SuppressionCommand.Remove.class,
                SuppressionCommand.Changes.class})
class SuppressionCommand implements Runnable {

    private static final String PATH = "/api/suppression";

    @Override
    public void run() {
        System.err.println("Give a command: suppression list, add NUMBER --reason R, remove NUMBER --reason R, or changes [NUMBER].");
    }

    /** What every subcommand shares: the server and its login. */
    abstract static class OnServer implements Callable<Integer> {
        @Mixin
        ServerOptions server;

        @Unmatched
        List<String> springArgs = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            return server.run(springArgs, this::call, null);
        }

        abstract int call(ServerClient client) throws Exception;
    }

    @Command(name = "list", description = "Lists the numbers on the list, with where each came from and when.")
    static class ListNumbers extends OnServer {
        @Option(names = "--limit", defaultValue = "1000", description = "at most this many (default: ${DEFAULT-VALUE})")
        int limit;

        @Override
        int call(ServerClient client) {
            JsonNode entries = client.getJson(PATH + "?limit=" + limit);
            if (entries.isEmpty()) {
                System.out.println("the suppression list on " + client.base() + " is empty");
            }
            for (JsonNode e : entries) {
                System.out.println(e.path("number").asText() + "  " + e.path("addedAt").asText() + "  " + e.path("source").asText());
            }
            return 0;
        }
    }

    /** A change of one number, with the reason kept beside it. */
    abstract static class Change extends OnServer {
        @Parameters(index = "0", paramLabel = "NUMBER", description = "E.164, +12025550123")
        String number;

        @Option(names = "--reason", required = true, description = "why (kept with the change)")
        String reason;
    }

    @Command(name = "add", description = "Puts a number on the list: no message is sent to it from now on, waiting ones included.")
    static class Add extends Change {
        @Override
        int call(ServerClient client) {
            JsonNode answer = client.postJson(PATH, ServerJson.MAPPER.createObjectNode().put("number", number).put("reason", reason));
            System.out.println(answer.path("added").asBoolean() ? number + " added to the suppression list"
                    : number + " was on the suppression list already");
            return 0;
        }
    }

    @Command(name = "remove", description = "Takes a number off the list.")
    static class Remove extends Change {
        @Override
        int call(ServerClient client) {
            try {
                client.delete(PATH + "/" + ServerClient.encode(number) + "?reason=" + URLEncoder.encode(reason, StandardCharsets.UTF_8));
            } catch (ServerClient.Refused e) {
                if (e.status() != 404) {
                    throw e;
                }
                System.err.println(number + " is not on the suppression list");
                return 1;
            }
            System.out.println(number + " taken off the suppression list");
            return 0;
        }
    }

    @Command(name = "changes", description = "Every change to the list (or to one number): when, what, why and by whom.")
    static class Changes extends OnServer {
        @Parameters(index = "0", arity = "0..1", paramLabel = "NUMBER")
        String number;

        @Override
        int call(ServerClient client) {
            String which = number == null ? "" : "?number=" + URLEncoder.encode(number, StandardCharsets.UTF_8);
            JsonNode changes = client.getJson(PATH + "/changes" + which);
            for (JsonNode c : changes) {
                System.out.println(c.path("at").asText() + "  " + c.path("action").asText() + " " + c.path("number").asText() + "  by "
                        + c.path("by").asText() + ": " + c.path("reason").asText());
            }
            return 0;
        }
    }
}
