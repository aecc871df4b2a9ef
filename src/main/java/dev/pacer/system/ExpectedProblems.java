package dev.pacer.system;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import dev.pacer.api.Refusal;
import dev.pacer.campaign.CampaignControl;
import org.camunda.bpm.engine.ProcessEngineException;
import org.slf4j.Marker;

/**
 * Keeps the engine's stack trace of an expected problem out of the log. The engine logs every
 * exception that leaves a command (ENGINE-16004, at ERROR with its trace) before its caller sees it;
 * when that exception is a {@link Refusal} (a refused campaign, a message no instance waits for, a
 * conflict), the caller answers it and logs it as one line, so the engine's copy is dropped; so is
 * the engine's copy of a refusal met while waking a campaign's messages that had moved on
 * ({@code CampaignControl.ownCommand}, which logs it at debug). Faults keep their trace. Named in
 * {@code logback-spring.xml} (and the tests' {@code logback-test.xml}).
 */
public class ExpectedProblems extends TurboFilter {

    static final String COMMAND_CONTEXT = "org.camunda.bpm.engine.context";

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (level == null || !level.isGreaterOrEqual(Level.WARN) || !COMMAND_CONTEXT.equals(logger.getName())) {
            return FilterReply.NEUTRAL;
        }
        // the engine's logger hands the exception over as the last argument, not as t
        Throwable thrown = t;
        if (thrown == null && params != null && params.length > 0 && params[params.length - 1] instanceof Throwable last) {
            thrown = last;
        }
        if (thrown instanceof ProcessEngineException && CampaignControl.inOwnCommand()) {
            // a message woken after it had moved on: the waking step expects it and logs it at debug
            return FilterReply.DENY;
        }
        return thrown != null && Refusal.of(thrown).isPresent() ? FilterReply.DENY : FilterReply.NEUTRAL;
    }
}
