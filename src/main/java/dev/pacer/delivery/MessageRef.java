package dev.pacer.delivery;

import dev.pacer.flow.Variable;
import org.camunda.bpm.engine.ProcessEngineServices;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.VariableScope;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;

/**
 * One message as the delivery steps see it: its variables, the key it is known by (its business
 * key: a campaign's {@code <id>/<row>}, or a message's idempotency key, else its instance id) and
 * the engine it lives in. A message of a {@code delivery} instance is its execution; a message sent
 * in a campaign's batch has no instance yet, and its variables are a map ({@link #detached}), the
 * same variables an instance would have, which start one if it must wait.
 */
public record MessageRef(VariableScope vars, String key, ProcessEngineServices engine) {

    /** The message of a {@code delivery} instance. */
    public static MessageRef of(DelegateExecution execution) {
        return new MessageRef(execution, SendLedger.messageOf(execution), execution.getProcessEngineServices());
    }

    /** A message with no instance: its variables are {@code variables} (read and written in place). */
    public static MessageRef detached(String key, Map<String, Object> variables, ProcessEngineServices engine) {
        return new MessageRef(variables(variables), key, engine);
    }

    /**
     * A variable scope over a plain map, for the steps that read and write a message's variables
     * through {@link Variable}: get, set, remove and list; nothing else of a scope is asked of it.
     */
    static VariableScope variables(Map<String, Object> map) {
        return (VariableScope) Proxy.newProxyInstance(MessageRef.class.getClassLoader(), new Class<?>[]{VariableScope.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getVariable", "getVariableLocal" -> map.get((String) args[0]);
                    case "setVariable", "setVariableLocal" -> {
                        map.put((String) args[0], args[1]);
                        yield null;
                    }
                    case "removeVariable", "removeVariableLocal" -> {
                        map.remove((String) args[0]);
                        yield null;
                    }
                    case "hasVariable", "hasVariableLocal" -> map.containsKey((String) args[0]);
                    case "getVariables", "getVariablesLocal" -> new HashMap<>(map);
                    case "getVariableScopeKey" -> "detached";
                    case "toString" -> "variables " + map.keySet();
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName() + " on a message's detached variables");
                });
    }
}
