package dev.pacer.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.Callable;

/**
 * Pause, resume and cancel: a BPMN message to the running campaign through the server's Camunda
 * REST API ({@code POST /engine-rest/message}), correlated by the campaign's name.
 */
abstract class ControlCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "the running campaign's name")
    String campaign;

    @Option(names = "--server", defaultValue = "http://127.0.0.1:8080", description = "the Pacer server (default: ${DEFAULT-VALUE})")
    URI server;

    @Option(names = "--user", defaultValue = "${env:PACER_ADMIN_USER:-admin}", description = "the login (default: $PACER_ADMIN_USER, else admin)")
    String user;

    @Option(names = "--password", defaultValue = "${env:PACER_ADMIN_PASSWORD}", description = "the password (default: $PACER_ADMIN_PASSWORD, "
            + "which keeps it out of the process list)")
    String password;

    private final String message;
    private final String done;

    ControlCommand(String message, String done) {
        this.message = message;
        this.done = done;
    }

    @Override
    public Integer call() throws InterruptedException {
        String body = new ObjectMapper().createObjectNode().put("messageName", message).put("businessKey", campaign).toString();
        HttpRequest request = HttpRequest.newBuilder(server.resolve("/engine-rest/message"))
                .header("Content-Type", "application/json").header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((user + ":" + (password == null ? "" : password)).getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> response;
        try {
            response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
            // The message meets the campaign instance while its own jobs run: the engine refuses one
            // of two concurrent updates (optimistic locking), and the message is simply sent again.
            for (int attempt = 1; attempt < 20 && response.statusCode() == 500 && response.body().contains("OptimisticLocking"); attempt++) {
                Thread.sleep(50L * attempt);
                response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
            }
        } catch (IOException e) {
            System.err.println("no Pacer server answers at " + server + " (start one with `pacer serve`): " + e);
            return 1;
        }
        if (response.statusCode() == 401) {
            System.err.println("the server at " + server + " refused the login '" + user + "': set PACER_ADMIN_USER and PACER_ADMIN_PASSWORD");
            return 1;
        }
        if (response.statusCode() / 100 == 2) {
            System.out.println("campaign " + campaign + " " + done);
            return 0;
        }
        String said = response.body();
        try {
            said = new ObjectMapper().readTree(response.body()).path("message").asText(said);
        } catch (IOException e) {
            // not JSON: show it as it came
        }
        if (said.contains("No process definition or execution matches")) {
            System.err.println("no running campaign named '" + campaign + "' on " + server);
        } else {
            System.err.println("the server refused (HTTP " + response.statusCode() + "): " + said);
        }
        return 1;
    }
}
