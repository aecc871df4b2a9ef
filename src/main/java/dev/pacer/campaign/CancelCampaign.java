package dev.pacer.campaign;

import dev.pacer.flow.CampaignState;
import dev.pacer.flow.Processes;
import dev.pacer.flow.Wait;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.ProcessEngineServices;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.management.JobDefinition;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;

import java.time.Clock;
import java.util.Arrays;
import java.util.Date;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Cancel: every message not yet sent ends {@code CANCELLED}, those never dispatched included;
 * requests in flight finish and keep their outcome. Waiting messages are woken at once, so the
 * campaign ends now rather than when their timers would have fired.
 */
public class CancelCampaign implements JavaDelegate {

    private final CampaignControl control;
    private final Clock clock;

    public CancelCampaign(CampaignControl control, Clock clock) {
        this.control = control;
        this.clock = clock;
    }

    @Override
    public void execute(DelegateExecution execution) {
        control.set(execution, CampaignState.CANCELLED);
        control.wakePaused(execution);
        ProcessEngineServices engine = execution.getProcessEngineServices();
        String campaignId = execution.getProcessInstanceId();
        // after the commit, each in a command of its own: a message's timer moved while its job runs
        // would refuse this command's update (optimistic locking), the campaign's with it
        control.afterCommit(() -> wakeWaiting(engine, campaignId));
    }

    private void wakeWaiting(ProcessEngineServices engine, String campaignId) {
        ManagementService management = engine.getManagementService();
        Set<String> waits = Arrays.stream(Wait.values()).filter(Wait::isTimer).map(Wait::activityId).collect(Collectors.toSet());
        Set<String> definitions = management.createJobDefinitionQuery().processDefinitionKey(Processes.DELIVERY).list().stream()
                .filter(d -> waits.contains(d.getActivityId())).map(JobDefinition::getId).collect(Collectors.toSet());
        Date now = Date.from(clock.instant());
        for (ProcessInstance message : engine.getRuntimeService().createProcessInstanceQuery()
                .processDefinitionKey(Processes.DELIVERY).processInstanceBusinessKeyLike(Processes.messageKeys(campaignId)).list()) {
            for (Job job : management.createJobQuery().processInstanceId(message.getId()).timers().list()) {
                if (definitions.contains(job.getJobDefinitionId()) && job.getDuedate().after(now)) {
                    // its job may run now (then it finds the campaign cancelled itself)
                    CampaignControl.ownCommand(() -> management.setJobDuedate(job.getId(), now));
                }
            }
        }
    }
}
