package dev.pacer.flow;

import dev.pacer.retry.BackoffPolicy;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngineConfiguration;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.repository.Deployment;
import org.camunda.bpm.engine.repository.DeploymentBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Models and tables are refused at deployment, before anything is stored, when they name a retry
 * policy, a provider account, a decision, a bean or a variable that does not exist; the message
 * names the element and the bad value. An engine of its own, with the checks Pacer's engine has,
 * two accounts configured ({@code bandwidth}, {@code twilio}) and the settings' policies as each test sets them.
 */
class DeploymentChecksProcessTest {

    private static final Map<String, BackoffPolicy> SETTINGS = new HashMap<>();
    /** The engine logs every refused command with its trace; these refusals are expected. */
    private static final ch.qos.logback.classic.Logger COMMANDS =
            (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.camunda.bpm.engine.context");
    private static ch.qos.logback.classic.Level commandsLevel;
    private static ProcessEngine engine;
    private static RepositoryService repository;

    @BeforeAll
    static void build() {
        commandsLevel = COMMANDS.getLevel();
        COMMANDS.setLevel(ch.qos.logback.classic.Level.OFF);
        ProcessEngineConfigurationImpl configuration = (ProcessEngineConfigurationImpl) ProcessEngineConfiguration
                .createStandaloneInMemProcessEngineConfiguration();
        configuration.setProcessEngineName("deployment-checks");
        configuration.setJdbcUrl("jdbc:h2:mem:pacer-deployment-checks;DB_CLOSE_DELAY=1000");
        configuration.setJobExecutorActivate(false);
        configuration.setProcessEnginePlugins(List.of(DeploymentChecks.plugin(() -> Set.of("bandwidth", "twilio"), () -> Map.copyOf(SETTINGS))));
        engine = configuration.buildProcessEngine();
        repository = engine.getRepositoryService();
    }

    @AfterAll
    static void close() {
        engine.close();
        COMMANDS.setLevel(commandsLevel);
    }

    @AfterEach
    void undeploy() {
        SETTINGS.clear();
        for (Deployment d : repository.createDeploymentQuery().list()) {
            repository.deleteDeployment(d.getId(), true);
        }
    }

    private static String file(String name) throws IOException {
        return Files.readString(Path.of("bpmn", name));
    }

    private static String edit(String text, String from, String to) {
        assertThat(text).as("the shipped model has " + from).contains(from);
        return text.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to));
    }

    private static DeploymentBuilder deployment(String delivery, String rules) {
        return repository.createDeployment().name("models").addString("delivery.bpmn", delivery).addString("response-rules.dmn", rules);
    }

    @Test
    void shouldDeployTheShippedModels() throws IOException {
        repository.createDeployment().name("shipped").addString("delivery.bpmn", file("delivery.bpmn"))
                .addString("campaign.bpmn", file("campaign.bpmn")).addString("response-rules.dmn", file("response-rules.dmn")).deploy();
        assertThat(repository.createProcessDefinitionQuery().list()).extracting(d -> d.getKey())
                .containsExactlyInAnyOrder(Processes.DELIVERY, Processes.CAMPAIGN);
        assertThat(repository.createDecisionDefinitionQuery().decisionDefinitionKey(Processes.RETRY_POLICIES).count()).isOne();
    }

    @Test
    void shouldRefuseARuleNamingARetryPolicyThatDoesNotExist() throws IOException {
        // the first "carrier" of the file is the output of the retry-policy decision's first rule
        String rules = edit(file("response-rules.dmn"), "<text>&quot;carrier&quot;</text>", "<text>&quot;carier&quot;</text>");
        assertThatThrownBy(() -> deployment(file("delivery.bpmn"), rules).deploy())
                .isInstanceOf(DeploymentChecks.ModelRefusedException.class)
                .hasMessageContaining("response-rules.dmn: decision retry-policy (Choose retry policy), rule Rule_retry_policy_1")
                .hasMessageContaining("retryPolicy 'carier' is not a retry policy (known: carrier, default, network)");
        assertThat(repository.createDeploymentQuery().count()).as("nothing of it was stored").isZero();
    }

    @Test
    void shouldRefuseAPolicyRowWithABadDuration() throws IOException {
        String rules = edit(file("response-rules.dmn"), "&quot;PT30S&quot;", "&quot;30 seconds&quot;");
        assertThatThrownBy(() -> deployment(file("delivery.bpmn"), rules).deploy())
                .hasMessageContaining("decision retry-policies (Retry policies), rule Rule_retry_policies_3 (policy carrier)")
                .hasMessageContaining("initial: '30 seconds' is not an ISO-8601 duration");
    }

    @Test
    void shouldRefuseAPolicyRowWithABadJitter() throws IOException {
        String rules = edit(file("response-rules.dmn"), "&quot;full&quot;", "&quot;wobbly&quot;");
        assertThatThrownBy(() -> deployment(file("delivery.bpmn"), rules).deploy())
                .hasMessageContaining("rule Rule_retry_policies_1 (policy default)")
                .hasMessageContaining("jitter: 'wobbly' is not one of none, proportional, full, decorrelated");
    }

    @Test
    void shouldRefuseAPolicyRowWithAMultiplierBelowOne() throws IOException {
        String rules = edit(file("response-rules.dmn"), "<text>2</text>", "<text>0.5</text>");
        assertThatThrownBy(() -> deployment(file("delivery.bpmn"), rules).deploy())
                .hasMessageContaining("rule Rule_retry_policies_1 (policy default): multiplier must be a finite number >= 1, was 0.5");
    }

    @Test
    void shouldRefuseATableWithoutTheDefaultPolicy() throws IOException {
        String rules = edit(file("response-rules.dmn"), "<text>&quot;default&quot;</text>\n        </inputEntry>",
                "<text>&quot;standard&quot;</text>\n        </inputEntry>");
        assertThatThrownBy(() -> deployment(file("delivery.bpmn"), rules).deploy())
                .hasMessageContaining("has no row for the policy 'default'")
                .hasMessageContaining("rule Rule_retry_policy_3: retryPolicy 'default' is not a retry policy");
    }

    @Test
    void shouldRefuseAStepNamingAProviderAccountThatIsNotConfigured() throws IOException {
        String delivery = edit(file("delivery.bpmn"), "<camunda:property name=\"provider\" value=\"\" />",
                "<camunda:property name=\"provider\" value=\"acme\" />");
        assertThatThrownBy(() -> deployment(delivery, file("response-rules.dmn")).deploy())
                .hasMessageContaining("delivery.bpmn: serviceTask Task_Throttle (Reserve send slot): provider 'acme' is not a provider account "
                        + "(configured: bandwidth, twilio)");
        assertThat(repository.createDeploymentQuery().count()).isZero();
    }

    @Test
    void shouldRefuseAnInputParameterNamingAProviderAccountThatIsNotConfigured() throws IOException {
        String delivery = edit(file("delivery.bpmn"), "<camunda:property name=\"fallbackProvider\" value=\"\" />\n          </camunda:properties>",
                "<camunda:property name=\"fallbackProvider\" value=\"\" />\n          </camunda:properties>\n"
                        + "          <camunda:inputOutput><camunda:inputParameter name=\"provider\">globex</camunda:inputParameter></camunda:inputOutput>");
        assertThatThrownBy(() -> deployment(delivery, file("response-rules.dmn")).deploy())
                .hasMessageContaining("serviceTask Task_Send (Send message): provider 'globex' is not a provider account");
    }

    @Test
    void shouldRefuseARetryStepNamingAPolicyNeitherTheTableNorTheSettingsHave() throws IOException {
        String delivery = edit(file("delivery.bpmn"), "<camunda:property name=\"retryPolicy\" value=\"\" />",
                "<camunda:property name=\"retryPolicy\" value=\"patient\" />");
        assertThatThrownBy(() -> deployment(delivery, file("response-rules.dmn")).deploy())
                .hasMessageContaining("serviceTask Task_ScheduleRetry (Schedule retry): retryPolicy 'patient' is not a retry policy");

        SETTINGS.put("patient", new BackoffPolicy(Duration.ofMinutes(1), 2, Duration.ofMinutes(30), 8, 0.5, BackoffPolicy.Jitter.FULL));
        deployment(delivery, file("response-rules.dmn")).deploy();
        assertThat(repository.createProcessDefinitionQuery().processDefinitionKey(Processes.DELIVERY).count()).isOne();
    }

    @Test
    void shouldCheckAModelDeployedAloneAgainstTheTableDeployedBefore() throws IOException {
        repository.createDeployment().name("rules").addString("response-rules.dmn", file("response-rules.dmn")).deploy();
        String delivery = edit(file("delivery.bpmn"), "<camunda:property name=\"retryPolicy\" value=\"\" />",
                "<camunda:property name=\"retryPolicy\" value=\"network\" />");
        repository.createDeployment().name("flow").addString("delivery.bpmn", delivery).deploy();
        String unknown = edit(file("delivery.bpmn"), "<camunda:property name=\"retryPolicy\" value=\"\" />",
                "<camunda:property name=\"retryPolicy\" value=\"networks\" />");
        assertThatThrownBy(() -> repository.createDeployment().name("flow").addString("delivery.bpmn", unknown).deploy())
                .hasMessageContaining("retryPolicy 'networks' is not a retry policy (known: carrier, default, network)");
    }

    @Test
    void shouldRefuseATimerReadingAVariableTheFlowDoesNotSet() throws IOException {
        String delivery = edit(file("delivery.bpmn"), "${slotAt}", "${slotTime}");
        assertThatThrownBy(() -> deployment(delivery, file("response-rules.dmn")).deploy())
                .hasMessageContaining("intermediateCatchEvent Timer_WaitSlot (Wait for send slot): timeDate ${slotTime} reads 'slotTime'");
    }

    @Test
    void shouldRefuseADelegateNamingABeanTheModelsMayNotReach() throws IOException {
        String delivery = edit(file("delivery.bpmn"), "camunda:delegateExpression=\"${recordExpiry}\"",
                "camunda:delegateExpression=\"${pacerProperties}\"");
        assertThatThrownBy(() -> deployment(delivery, file("response-rules.dmn")).deploy())
                .hasMessageContaining("serviceTask Task_RecordExpiry (Record expiry): camunda:delegateExpression ${pacerProperties} "
                        + "reads 'pacerProperties'");
    }

    @Test
    void shouldRefuseABusinessRuleTaskNamingADecisionThatIsNotDeployed() throws IOException {
        String delivery = edit(file("delivery.bpmn"), "camunda:decisionRef=\"retry-policy\"", "camunda:decisionRef=\"retry-rules\"");
        assertThatThrownBy(() -> deployment(delivery, file("response-rules.dmn")).deploy())
                .hasMessageContaining("businessRuleTask Task_ChoosePolicy (Choose retry policy): decisionRef 'retry-rules' is not a deployed decision");
    }

    @Test
    void shouldLetAConditionReadWhatTheModelSetsItself() throws IOException {
        // a business rule task's result variable is the model's own
        String delivery = edit(file("delivery.bpmn"), "camunda:resultVariable=\"retryPolicy\"", "camunda:resultVariable=\"chosenPolicy\"");
        delivery = edit(delivery, "${slot == 'RETRY'}", "${slot == 'RETRY' and chosenPolicy != null}");
        deployment(delivery, file("response-rules.dmn")).deploy();
        assertThat(repository.createProcessDefinitionQuery().processDefinitionKey(Processes.DELIVERY).count()).isOne();
    }

    @Test
    void shouldRefuseADecisionInputReadingWhatItIsNotGiven() throws IOException {
        String rules = edit(file("response-rules.dmn"), "<text>quotaSpent</text>", "<text>quotaSpend</text>");
        assertThatThrownBy(() -> deployment(file("delivery.bpmn"), rules).deploy())
                .hasMessageContaining("decision classify-response (Classify provider response), input Input_quotaSpent "
                        + "(Rate-limit headers say none left): reads 'quotaSpend', which Pacer does not give this decision "
                        + "(it gives: errorCode, errorType, provider, quotaSpent, status)");
    }
}
