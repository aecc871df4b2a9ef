package dev.pacer.delivery;

import dev.pacer.flow.ResponseClass;
import dev.pacer.testkit.PacerEngine;

import dev.pacer.provider.SendResult;
import org.camunda.bpm.engine.test.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The response rules are kept per decision definition, and a redeployed table counts at once. */
@Deployment(resources = "response-rules.dmn")
class ResponseRulesTest {

    @RegisterExtension
    static PacerEngine engine = new PacerEngine();

    @Test
    void shouldKeepEachClassificationAndFollowARedeployedTable() throws Exception {
        SendResult ok = SendResult.accepted(202, "m", 1);
        ResponseRules rules = new ResponseRules(engine.getRepositoryService(), engine.getDecisionService());
        ResponseRules.Classification first = rules.classify("bandwidth", ok);
        assertThat(first.responseClass()).isEqualTo(ResponseClass.ACCEPTED);
        assertThat(rules.classify("bandwidth", ok)).as("evaluated once").isSameAs(first);

        String table = Files.readString(Path.of("bpmn/response-rules.dmn"));
        assertThat(table).contains("[200..299]");
        String id = engine.getRepositoryService().createDeployment().addString("response-rules.dmn", table.replace("[200..299]", "[203..299]"))
                .deploy().getId();
        try {
            assertThat(rules.classify("bandwidth", ok).responseClass())
                    .as("the redeployed table no longer accepts a 202").isNotEqualTo(ResponseClass.ACCEPTED);
        } finally {
            engine.getRepositoryService().deleteDeployment(id, true);
        }
        assertThat(rules.classify("bandwidth", ok)).isSameAs(first);
    }
}
