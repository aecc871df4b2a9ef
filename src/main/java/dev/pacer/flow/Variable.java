package dev.pacer.flow;

import org.camunda.bpm.engine.delegate.VariableScope;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Map;
import java.util.function.Function;

/**
 * One process variable of the flows in {@code bpmn/}: its name, as the models and the history
 * tables know it, and its Java type. Reading and writing through it is the only way Java touches a
 * variable, so a name is spelt once and no caller casts.
 *
 * @param <T> the value's type in Java; {@link #stored} is what the engine keeps
 */
public final class Variable<T> {

    private final String name;
    private final Function<Object, T> read;
    private final Function<T, Object> write;

    private Variable(String name, Function<Object, T> read, Function<T, Object> write) {
        this.name = name;
        this.read = read;
        this.write = write;
    }

    public static Variable<String> text(String name) {
        return new Variable<>(name, Object::toString, v -> v);
    }

    public static Variable<Integer> integer(String name) {
        return new Variable<>(name, v -> ((Number) v).intValue(), v -> v);
    }

    public static Variable<Long> number(String name) {
        return new Variable<>(name, v -> ((Number) v).longValue(), v -> v);
    }

    public static Variable<Boolean> flag(String name) {
        return new Variable<>(name, v -> v instanceof Boolean b ? b : Boolean.parseBoolean(v.toString()), v -> v);
    }

    public static Variable<byte[]> bytes(String name) {
        return new Variable<>(name, v -> (byte[]) v, v -> v);
    }

    /** An instant, kept as a date (the engine's type for timer expressions and history). */
    public static Variable<Instant> instant(String name) {
        return new Variable<>(name, v -> ((Date) v).toInstant(), Date::from);
    }

    /**
     * The due time of a timer: kept as a date rounded up to the millisecond, since timers keep
     * milliseconds and one rounded down would fire before its time and ask again in a loop.
     */
    public static Variable<Instant> timer(String name) {
        return new Variable<>(name, v -> ((Date) v).toInstant(), at -> {
            Instant ms = at.truncatedTo(ChronoUnit.MILLIS);
            return Date.from(ms.equals(at) ? ms : ms.plusMillis(1));
        });
    }

    /** A value kept as text and read with {@code parse}, which may accept more than one spelling. */
    public static <E extends Enum<E>> Variable<E> constant(String name, Function<String, E> parse) {
        return new Variable<>(name, v -> parse.apply(v.toString()), Enum::name);
    }

    /** An enum, kept as its constant's name (what a model's condition compares: {@code ${slot == 'NOW'}}). */
    public static <E extends Enum<E>> Variable<E> constant(String name, Class<E> type) {
        return new Variable<>(name, v -> Enum.valueOf(type, v.toString()), Enum::name);
    }

    /** The name the models, the REST API and the history tables know the variable by. */
    public String name() {
        return name;
    }

    /** The value, or null when the variable is not set (or set to null). */
    public T get(VariableScope scope) {
        Object v = scope.getVariable(name);
        return v == null ? null : read.apply(v);
    }

    /** The value as the engine keeps it, for a step that reads what a caller gave in more than one form. */
    public Object raw(VariableScope scope) {
        return scope.getVariable(name);
    }

    public T get(VariableScope scope, T absent) {
        T v = get(scope);
        return v == null ? absent : v;
    }

    /** The value of a variable one must have: a missing one names itself. */
    public T require(VariableScope scope) {
        T v = get(scope);
        if (v == null) {
            throw new IllegalStateException("the process variable '" + name + "' is not set");
        }
        return v;
    }

    public void set(VariableScope scope, T value) {
        scope.setVariable(name, stored(value));
    }

    public void remove(VariableScope scope) {
        scope.removeVariable(name);
    }

    /** Puts the value into a map of variables for starting an instance or correlating a message. */
    public void put(Map<String, Object> variables, T value) {
        variables.put(name, stored(value));
    }

    /** What the engine keeps for {@code value}. */
    public Object stored(T value) {
        return value == null ? null : write.apply(value);
    }

    /** Reads a value as the engine keeps it (a map of variables, a REST body). */
    public T of(Object stored) {
        return stored == null ? null : read.apply(stored);
    }

    @Override
    public String toString() {
        return name;
    }
}
