package dev.pacer.flow;

import dev.pacer.throttle.Priority;
import org.camunda.bpm.engine.variable.VariableMap;
import org.camunda.bpm.engine.variable.Variables;
import org.camunda.bpm.engine.delegate.VariableScope;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.lang.reflect.Proxy;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The typed variables keep what the engine and the models expect, and read back what they wrote. */
class VariableTest {

    private final Map<String, Object> values = new HashMap<>();
    /** A variable scope over {@link #values}: what an execution does with its variables, without an engine. */
    private final VariableScope scope = (VariableScope) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[]{VariableScope.class}, (proxy, method, args) -> switch (method.getName()) {
                case "getVariable" -> values.get((String) args[0]);
                case "setVariable" -> values.put((String) args[0], args[1]);
                case "removeVariable" -> values.remove((String) args[0]);
                default -> throw new UnsupportedOperationException(method.getName());
            });

    @Test
    void shouldRoundATimerUpToTheMillisecondSoItNeverFiresEarly() {
        MessageVariables.SLOT_AT.set(scope, Instant.parse("2030-01-01T09:00:00.000000001Z"));
        assertThat(values.get("slotAt")).isEqualTo(Date.from(Instant.parse("2030-01-01T09:00:00.001Z")));
        MessageVariables.SLOT_AT.set(scope, Instant.parse("2030-01-01T09:00:00.002Z"));
        assertThat(MessageVariables.SLOT_AT.get(scope)).isEqualTo(Instant.parse("2030-01-01T09:00:00.002Z"));
    }

    @Test
    void shouldKeepAnEnumByNameAndReadTheCallersSpelling() {
        MessageVariables.SLOT.set(scope, Slot.RETRY);
        assertThat(values.get("slot")).isEqualTo("RETRY");
        values.put("priority", "realtime");
        assertThat(MessageVariables.PRIORITY.get(scope)).isEqualTo(Priority.REALTIME);
        MessageVariables.PRIORITY.set(scope, Priority.BULK);
        assertThat(values.get("priority")).isEqualTo("BULK");
    }

    @Test
    void shouldGiveTheDefaultForAnAbsentVariableAndNameAMissingOne() {
        assertThat(MessageVariables.ATTEMPTS.get(scope, 0)).isZero();
        assertThat(MessageVariables.ATTEMPTS.get(scope)).isNull();
        assertThatThrownBy(() -> MessageVariables.SEGMENTS.require(scope)).hasMessageContaining("'segments'");
    }

    @Test
    void shouldPutStoredValuesIntoAStartMap() {
        VariableMap vars = Variables.createVariables();
        MessageVariables.DEADLINE.put(vars, Instant.parse("2030-01-01T10:00:00Z"));
        MessageVariables.OUTCOME.put(vars, Outcome.INVALID);
        assertThat(vars.get("deadline")).isEqualTo(Date.from(Instant.parse("2030-01-01T10:00:00Z")));
        assertThat(vars.get("outcome")).isEqualTo("INVALID");
        assertThat(MessageVariables.OUTCOME.of(vars.get("outcome"))).isEqualTo(Outcome.INVALID);
    }
}
