package dev.pacer.provider;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.modeler.Registry;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The HTTP front of a built-in simulator: an embedded Tomcat on a free loopback port that hands each
 * request to the simulator's model. (The JDK's own server overwrites the {@code Date} header, and a
 * skewed provider clock must show in it.)
 */
public final class SimulatorServer implements AutoCloseable {

    /**
     * One HTTP request as a simulator's model sees it.
     *
     * @param query the query string's parameters, decoded (the first value of each)
     */
    public record Request(String method, String path, String authorization, String contentType, byte[] body, Map<String, String> query) {
        public Request(String method, String path, String authorization, String contentType, byte[] body) {
            this(method, path, authorization, contentType, body, Map.of());
        }
    }

    /**
     * One HTTP response: status, headers and body.
     *
     * @param toldUntil the end of the wait this response tells, or null; it counts from the moment the
     *                  response reaches the client, not before
     */
    public record Reply(int status, Map<String, String> headers, String body, Instant toldUntil) {
        public Reply(int status, Map<String, String> headers, String body) {
            this(status, headers, body, null);
        }
    }

    private final Tomcat tomcat;
    private final Path baseDir;
    private final int port;

    /**
     * @param model    answers a request
     * @param answered called once a reply has reached the client
     * @param latency  how long each answer takes
     */
    public SimulatorServer(String name, Function<Request, Reply> model, Consumer<Reply> answered, Duration latency) throws IOException {
        this.baseDir = Files.createTempDirectory("pacer-simulator");
        Registry.disableRegistry();
        this.tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("maxThreads", "16");
        tomcat.setConnector(connector);
        tomcat.getEngine().setName(name + "-simulator-" + UUID.randomUUID());
        Context context = tomcat.addContext("", null);
        Tomcat.addServlet(context, name, new Front(model, answered, latency));
        context.addServletMappingDecoded("/*", name);
        try {
            tomcat.start();
        } catch (LifecycleException e) {
            throw new IOException("cannot start the " + name + " simulator", e);
        }
        this.port = connector.getLocalPort();
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port);
    }

    private static final class Front extends HttpServlet {
        private final transient Function<Request, Reply> model;
        private final transient Consumer<Reply> answered;
        private final Duration latency;

        Front(Function<Request, Reply> model, Consumer<Reply> answered, Duration latency) {
            this.model = model;
            this.answered = answered;
            this.latency = latency;
        }

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            byte[] body = req.getInputStream().readAllBytes();
            if (!latency.isZero()) {
                try {
                    Thread.sleep(latency.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            Map<String, String> query = new java.util.LinkedHashMap<>();
            req.getParameterMap().forEach((name, values) -> query.put(name, values[0]));
            Reply reply = model.apply(new Request(req.getMethod(), req.getRequestURI(), req.getHeader("Authorization"),
                    req.getContentType(), body, query));
            resp.setStatus(reply.status());
            reply.headers().forEach(resp::setHeader);
            byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
            resp.setContentLength(out.length);
            try (OutputStream os = resp.getOutputStream()) {
                os.write(out);
                os.flush();
            }
            // Requests that arrive before the client could have read the wait are not held against it.
            answered.accept(reply);
        }
    }

    @Override
    public void close() {
        try {
            tomcat.stop();
            tomcat.destroy();
        } catch (LifecycleException e) {
            throw new IllegalStateException("cannot stop the simulator", e);
        } finally {
            try (Stream<Path> files = Files.walk(baseDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
