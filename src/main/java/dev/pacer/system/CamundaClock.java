package dev.pacer.system;

import org.camunda.bpm.engine.impl.util.ClockUtil;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The engine's clock as a {@link Clock}: the pacer and the BPMN timers must agree on what "now"
 * is, and process tests move both at once with {@code ClockUtil}.
 */
public final class CamundaClock extends Clock {

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the engine clock is UTC");
    }

    @Override
    public Instant instant() {
        return ClockUtil.now().toInstant();
    }
}
