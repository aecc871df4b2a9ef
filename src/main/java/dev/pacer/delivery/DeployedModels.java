package dev.pacer.delivery;

import dev.pacer.flow.Processes;
import dev.pacer.flow.RetryPolicyTable;
import dev.pacer.flow.StepProperties;
import dev.pacer.retry.BackoffPolicy;
import dev.pacer.retry.RetryPolicies;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.repository.DecisionDefinition;
import org.camunda.bpm.engine.repository.ProcessDefinition;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the deployed models set for the delivery steps: the step properties of a {@code delivery}
 * definition and the retry policies of the latest {@code retry-policies} table, the settings'
 * policies ({@code pacer.retry.policies}) over the table's. Each is read once per deployed
 * definition, which never changes; the latest is looked up on every call, so a model redeployed
 * from Modeler takes effect at once.
 */
public class DeployedModels {

    private final RepositoryService repository;
    private final Map<String, BackoffPolicy> settings;
    private final Map<String, StepProperties> steps = new ConcurrentHashMap<>();
    private final Map<String, RetryPolicies> policies = new ConcurrentHashMap<>();

    /** @param settings the policies of {@code pacer.retry.policies}, which replace the table's rows of the same name */
    public DeployedModels(RepositoryService repository, Map<String, BackoffPolicy> settings) {
        this.repository = repository;
        this.settings = Map.copyOf(settings);
    }

    /** The step properties of the {@code delivery} definition {@code processDefinitionId}. */
    public StepProperties steps(String processDefinitionId) {
        return steps.computeIfAbsent(processDefinitionId, id -> StepProperties.of(repository.getBpmnModelInstance(id)));
    }

    /** The step properties of the latest {@code delivery} definition ({@link StepProperties#NONE} when none is deployed). */
    public StepProperties latestSteps() {
        ProcessDefinition latest = repository.createProcessDefinitionQuery().processDefinitionKey(Processes.DELIVERY).latestVersion()
                .singleResult();
        return latest == null ? StepProperties.NONE : steps(latest.getId());
    }

    /** The retry policies: the latest table's (the built-in ones when none is deployed), the settings' over them. */
    public RetryPolicies policies() {
        DecisionDefinition table = repository.createDecisionDefinitionQuery().decisionDefinitionKey(Processes.RETRY_POLICIES)
                .latestVersion().singleResult();
        if (table == null) {
            return RetryPolicies.of(null, settings);
        }
        // a deployed table was checked when it was deployed (DeploymentChecks)
        return policies.computeIfAbsent(table.getId(), id -> RetryPolicies.of(
                RetryPolicyTable.read(repository.getDmnModelInstance(id)).orElse(null), settings));
    }
}
