package dev.pacer.system;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.api.Refusal;
import jakarta.annotation.Priority;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.rest.exception.RestException;
import org.glassfish.jersey.spi.ExtendedExceptionMapper;
import org.springframework.boot.autoconfigure.jersey.ResourceConfigCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Camunda's REST API ({@code /engine-rest}) answers an expected problem as a {@link Refusal}: a
 * refused campaign start 400, a name that runs 409, an optimistic-locking conflict 409, each logged
 * as one line. Camunda's own handlers answer everything else (and log a 500 with its trace); these
 * mappers take precedence over them (a higher priority for the same exception type) only for the
 * exceptions they recognise.
 */
@Configuration(proxyBeanMethods = false)
class RestRefusals {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Bean
    ResourceConfigCustomizer refusalMappers() {
        return config -> config.register(WrappedRefusals.class).register(EngineRefusals.class);
    }

    /** The start of a process wraps what its first steps threw (a refused campaign) in a RestException with 500. */
    @Priority(Priorities.USER - 100)
    static class WrappedRefusals extends Mapper<RestException> {
    }

    /** What the engine throws straight through the API, such as an optimistic-locking conflict. */
    @Priority(Priorities.USER - 100)
    static class EngineRefusals extends Mapper<ProcessEngineException> {
    }

    abstract static class Mapper<E extends Throwable> implements ExtendedExceptionMapper<E> {

        @Context
        HttpServletRequest request;

        @Override
        public boolean isMappable(E exception) {
            return Refusal.of(exception).isPresent();
        }

        @Override
        public Response toResponse(E exception) {
            Refusal refusal = Refusal.of(exception).orElseThrow();
            refusal.log(request.getMethod(), request.getRequestURI());
            try {
                return Response.status(refusal.status()).type(MediaType.APPLICATION_JSON_TYPE)
                        .entity(JSON.writeValueAsString(refusal.fields())).build();
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
