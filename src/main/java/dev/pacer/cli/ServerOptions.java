package dev.pacer.cli;

import picocli.CommandLine.Option;

import java.net.URI;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * How a command finds the running server and logs in to it: {@code --server URL} (default: the
 * server {@code pacer serve} would start here, at its configured address and port), and the
 * administrator's login ({@code --user}/{@code --password}, else {@code PACER_ADMIN_USER} /
 * {@code PACER_ADMIN_PASSWORD} as the server reads them).
 */
final class ServerOptions {

    /** What a command does with the server. */
    interface Remote {
        int call(ServerClient server) throws Exception;
    }

    @Option(names = "--server", paramLabel = "URL", description = "the Pacer server (default: the local one, at the configured "
            + "server.address and server.port, http://127.0.0.1:8080 unless changed)")
    URI server;

    @Option(names = "--user", description = "the login (default: $PACER_ADMIN_USER, else admin)")
    String user;

    @Option(names = "--password", description = "the password (default: $PACER_ADMIN_PASSWORD, which keeps it out of the process list)")
    String password;

    /** The server to talk to, with the login. */
    ServerClient client(List<String> springArgs) {
        LocalSettings local = server != null && user != null && password != null ? null : LocalSettings.load(springArgs);
        return new ServerClient(server != null ? server : local.server(), user != null ? user : local.adminUser(),
                password != null ? password : local.adminPassword());
    }

    /**
     * Runs {@code remote} against the server; when no server answers and none was named with
     * {@code --server}, runs {@code local} (on the local database) instead, or with no {@code local}
     * says that no server answers. Whatever the server refuses is one line on stderr, and exit 1.
     */
    int run(List<String> springArgs, Remote remote, Callable<Integer> local) throws Exception {
        ServerClient client = client(springArgs);
        try {
            return remote.call(client);
        } catch (ServerClient.NoServer e) {
            if (server != null || local == null) {
                System.err.println(e.getMessage());
                return 1;
            }
            System.err.println("no Pacer server answers at " + client.base() + ": using the local database instead");
            return local.call();
        } catch (ServerClient.Refused e) {
            System.err.println(e.getMessage());
            return 1;
        }
    }
}
