package dev.pacer.system;

import dev.pacer.provider.InvalidAccountException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** A provider account Pacer cannot start with is reported as what to set, not as a stack trace. */
class InvalidAccountFailureAnalyzer extends AbstractFailureAnalyzer<InvalidAccountException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidAccountException cause) {
        return new FailureAnalysis(cause.getMessage(), "Set the property named above (README: \"Provider accounts\").", cause);
    }
}
