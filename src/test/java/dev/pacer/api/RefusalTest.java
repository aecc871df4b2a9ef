package dev.pacer.api;

import dev.pacer.campaign.CampaignRunningException;
import dev.pacer.campaign.InvalidCampaignException;
import org.camunda.bpm.engine.BadUserRequestException;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.ProcessEngineException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RefusalTest {

    @Test
    void shouldFindARunningCampaignUnderTheExceptionsTheEngineWrapsItIn() {
        var wrapped = new ProcessEngineException("Cannot instantiate process definition campaign:1:x",
                new BadUserRequestException("campaign refused", new CampaignRunningException("spring", "id-1")));

        Refusal refusal = Refusal.of(wrapped).orElseThrow();

        assertThat(refusal.status()).isEqualTo(409);
        assertThat(refusal.fields()).containsEntry("type", "CampaignRunning").containsEntry("campaign", "spring")
                .containsEntry("runningInstanceId", "id-1");
        assertThat(refusal.message()).startsWith("campaign refused: a campaign named 'spring' is running (instance id-1)");
    }

    @Test
    void shouldAnswer400ForAnInvalidCampaignAndABadRequest() {
        Refusal invalid = Refusal.of(new ProcessEngineException("Cannot instantiate process definition campaign:1:x",
                new BadUserRequestException("campaign refused: text: missing", new InvalidCampaignException("text: missing")))).orElseThrow();
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.type()).isEqualTo("BadUserRequestException");
        assertThat(invalid.message()).as("the refusing step's words").isEqualTo("campaign refused: text: missing");
        Refusal message = Refusal.of(new BadUserRequestException("message refused: missing variable 'text'",
                new InvalidCampaignException("missing variable 'text'"))).orElseThrow();
        assertThat(message.message()).isEqualTo("message refused: missing variable 'text'");
        assertThat(Refusal.of(new InvalidCampaignException("from: missing")).orElseThrow().message()).isEqualTo("campaign refused: from: missing");
        assertThat(Refusal.of(new BadUserRequestException("no such variable")).orElseThrow().status()).isEqualTo(400);
    }

    @Test
    void shouldAnswer409ForAnOptimisticLockingConflict() {
        Refusal refusal = Refusal.of(new ProcessEngineException("failed", new OptimisticLockingException("ENGINE-03005 ..."))).orElseThrow();
        assertThat(refusal.status()).isEqualTo(409);
        assertThat(refusal.type()).isEqualTo("OptimisticLockingException");
        assertThat(refusal.message()).contains("send the request again");
    }

    @Test
    void shouldLeaveAFaultToTheUsualHandling() {
        assertThat(Refusal.of(new ProcessEngineException("boom", new NullPointerException()))).isEmpty();
        assertThat(Refusal.of(new IllegalStateException("bug"))).isEmpty();
    }
}
