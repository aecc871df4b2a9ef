package dev.pacer.system;

import dev.pacer.flow.DeploymentChecks;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** A model in {@code bpmn/} refused at deployment is reported as the elements to fix, not as a stack trace. */
class RefusedModelFailureAnalyzer extends AbstractFailureAnalyzer<DeploymentChecks.ModelRefusedException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, DeploymentChecks.ModelRefusedException cause) {
        return new FailureAnalysis(cause.getMessage(), "Fix the elements named above in Camunda Modeler, or configure the account or "
                + "retry policy they name (README: \"Editing in Camunda Modeler\").", cause);
    }
}
