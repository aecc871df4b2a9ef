package dev.pacer.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * Checks the variables of a process start or a message over REST before the engine sees them, and
 * refuses with a 400 naming the variable: a {@code String} longer than the engine can store
 * ({@value #MAX} characters; it would fail in the persistence layer with a 500; such a value, a
 * campaign's JSON, goes as type {@code Json}), and a {@code Json} value with a key given twice
 * (the engine's JSON reader would keep the last one without a word).
 */
public class RestVariablesFilter extends OncePerRequestFilter {

    /** What a String variable's text column holds. */
    static final int MAX = 4000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper STRICT = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"POST".equals(request.getMethod()) || !(request.getRequestURI().endsWith("/start")
                || request.getRequestURI().endsWith("/submit-form") || request.getRequestURI().endsWith("/message"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        byte[] body = request.getInputStream().readAllBytes();
        String refused = problem(body);
        if (refused != null) {
            Refusals.send(response, HttpServletResponse.SC_BAD_REQUEST, "InvalidRequestException", refused);
            return;
        }
        chain.doFilter(new Replayed(request, body), response);
    }

    /** What is wrong with the first bad variable of a start's {@code variables} (or a message's {@code processVariables}), or null. */
    static String problem(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            return null; // not JSON: the REST API answers that itself
        }
        if (root == null) {
            return null;
        }
        for (String field : new String[]{"variables", "processVariables"}) {
            JsonNode vars = root.path(field);
            for (Iterator<Map.Entry<String, JsonNode>> it = vars.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> v = it.next();
                JsonNode value = v.getValue().path("value");
                String type = v.getValue().path("type").asText("String");
                if (value.isTextual() && "String".equalsIgnoreCase(type) && value.asText().length() > MAX) {
                    return "variable '" + v.getKey() + "': a String holds at most " + MAX + " characters; send it as type Json "
                            + "(a campaign) or shorten it";
                }
                if (value.isTextual() && "Json".equalsIgnoreCase(type)) {
                    try {
                        STRICT.readTree(value.asText());
                    } catch (IOException e) {
                        return "variable '" + v.getKey() + "' is not valid JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                                ? j.getOriginalMessage() : e.getMessage());
                    }
                }
            }
        }
        return null;
    }

    /** The request with its body read again from memory. */
    private static final class Replayed extends HttpServletRequestWrapper {
        private final byte[] body;

        Replayed(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
        }
    }
}
