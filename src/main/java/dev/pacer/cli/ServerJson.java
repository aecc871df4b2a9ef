package dev.pacer.cli;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The JSON readers and writers of the commands that talk to a server. A class of its own, loaded
 * on first use: picocli makes every command object at start-up, and Jackson built then would cost
 * every command, {@code --help} included, a few hundred milliseconds.
 */
final class ServerJson {

    /** The server's JSON as the server writes it: ISO instants, indented, fields it adds later ignored. */
    static final ObjectMapper MAPPER = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT).build();

    /** A campaign's JSON as the server reads it: a key given twice is refused. */
    static final ObjectMapper STRICT = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private ServerJson() {
    }
}
