package dev.pacer.system;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.audit.ReportReader;
import dev.pacer.campaign.Audience;
import dev.pacer.campaign.CampaignSpec;
import dev.pacer.campaign.Recipient;
import dev.pacer.throttle.Pacer;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.management.JobDefinition;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.delegate.JavaDelegate;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.BitSet;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** The delegates of the {@code campaign} process and the end listener of {@code delivery}. */
final class CampaignDelegates {

    static final String DELIVERY = "delivery";

    private CampaignDelegates() {
    }

    static String campaignJson(DelegateExecution execution) {
        Object value = execution.getVariable(Vars.CAMPAIGN);
        if (value == null) {
            throw new dev.pacer.campaign.InvalidCampaignException("missing process variable 'campaign' (the campaign JSON)");
        }
        return value.toString();
    }

    static Path baseDir(DelegateExecution execution) {
        Object dir = execution.getVariable(Vars.CAMPAIGN_DIR);
        return Path.of(dir == null ? "." : dir.toString());
    }

    /** The business key prefix every message of a campaign instance carries. */
    static String messagePrefix(String campaignInstanceId) {
        return campaignInstanceId + "/";
    }

    /** Checks the campaign whole, in the transaction that starts it, so a bad one is refused before anything is stored. */
    static class Validate implements JavaDelegate {
        private final Providers providers;
        private final Clock clock;

        Validate(Providers providers, Clock clock) {
            this.providers = providers;
            this.clock = clock;
        }

        @Override
        public void execute(DelegateExecution execution) {
            Instant now = clock.instant();
            CampaignSpec spec = CampaignSpec.parse(campaignJson(execution), baseDir(execution), providers.names(), now);
            Audience.Scan scan = Audience.scan(spec);
            if (execution.getProcessBusinessKey() == null) {
                execution.setProcessBusinessKey(spec.name());
            }
            execution.setVariable(Vars.ROWS, scan.rows());
            execution.setVariable(Vars.DUPLICATES, scan.duplicates());
            execution.setVariable(Vars.FIRST_ROWS, scan.firstOccurrence().toByteArray());
            execution.setVariable(Vars.CURSOR, 0);
            execution.setVariable(Vars.STARTED_AT, Date.from(now));
            execution.setVariable(Vars.ALL_DONE, false);
            execution.setVariable(Vars.STATE, CampaignControl.State.RUNNING.name());
        }
    }

    /**
     * Tops up the campaign's window of live message instances, streaming the audience from where the
     * last batch stopped; sets {@code allDone} once every row is dispatched and every message ended.
     */
    static class Dispatch implements JavaDelegate {
        private final RuntimeService runtime;
        private final Providers providers;
        private final PacerProperties.Dispatch settings;
        private final DeliveryStats stats;

        Dispatch(RuntimeService runtime, Providers providers, PacerProperties.Dispatch settings, DeliveryStats stats) {
            this.runtime = runtime;
            this.providers = providers;
            this.settings = settings;
            this.stats = stats;
        }

        private static CampaignControl.State state(DelegateExecution execution) {
            Object state = execution.getVariable(Vars.STATE);
            return state == null ? CampaignControl.State.RUNNING : CampaignControl.State.valueOf(state.toString());
        }

        @Override
        public void execute(DelegateExecution execution) {
            String prefix = messagePrefix(execution.getProcessInstanceId());
            int rows = (Integer) execution.getVariable(Vars.ROWS);
            int cursor = (Integer) execution.getVariable(Vars.CURSOR);
            long live = runtime.createProcessInstanceQuery().processDefinitionKey(DELIVERY)
                    .processInstanceBusinessKeyLike(prefix + "%").count();
            CampaignControl.State state = state(execution);
            BitSet first = BitSet.valueOf((byte[]) execution.getVariable(Vars.FIRST_ROWS));
            if (state == CampaignControl.State.CANCELLED && cursor < rows) {
                // the rows never dispatched end CANCELLED without an instance each: they are counted
                execution.setVariable(Vars.CANCELLED_UNSENT, first.get(cursor + 1, rows + 1).cardinality());
                cursor = rows;
            }
            long room = state == CampaignControl.State.RUNNING ? Math.min(settings.batch(), settings.window() - live) : 0;
            int started = 0;
            if (cursor < rows && room > 0) {
                Instant startedAt = ((Date) execution.getVariable(Vars.STARTED_AT)).toInstant();
                CampaignSpec spec = CampaignSpec.parse(campaignJson(execution), baseDir(execution), providers.names(), startedAt.minusSeconds(1));
                Instant deadline = spec.deadlineFor(startedAt);
                Object position = execution.getVariable(Vars.POSITION);
                try (Audience audience = Audience.open(spec, position == null ? 0 : (Long) position, cursor)) {
                    while (audience.hasNext() && started < room) {
                        Recipient r = audience.next();
                        cursor = r.row();
                        if (first.get(r.row())) {
                            start(execution.getProcessInstanceId(), prefix + r.row(), spec, r, deadline);
                            started++;
                        }
                    }
                    if (!audience.hasNext()) {
                        cursor = rows;
                    }
                    execution.setVariable(Vars.POSITION, audience.position());
                }
                stats.dispatched.add(started);
            }
            execution.setVariable(Vars.CURSOR, cursor);
            execution.setVariable(Vars.ALL_DONE, cursor >= rows && live + started == 0);
        }

        private void start(String campaignId, String businessKey, CampaignSpec spec, Recipient r, Instant deadline) {
            Map<String, Object> vars = new HashMap<>();
            vars.put(Vars.CAMPAIGN_ID, campaignId);
            vars.put(Vars.PROVIDER, spec.provider());
            vars.put(Vars.FROM, spec.from());
            vars.put(Vars.TO, r.to());
            vars.put(Vars.PRIORITY, spec.priority().name());
            vars.put(Vars.DEADLINE, deadline == null ? null : Date.from(deadline));
            if (spec.maxRate() != null) {
                vars.put(Vars.CAMPAIGN_RATE, spec.maxRate());
            }
            if (spec.sendWindow() != null) {
                vars.put(Vars.SEND_WINDOW, spec.sendWindow().toString());
                String zone = r.fields().get(Vars.TIMEZONE);
                if (zone != null && !zone.isBlank()) {
                    vars.put(Vars.TIMEZONE, zone);
                }
            }
            String text = null;
            String problem = null;
            try {
                text = spec.text().render(r.fields());
            } catch (IllegalArgumentException e) {
                problem = e.getMessage();
            }
            vars.put(Vars.TEXT, text);
            if (problem != null) {
                vars.put(Vars.OUTCOME, Outcome.INVALID.name());
                vars.put(Vars.REASON, "invalid recipient in row " + r.row() + ": " + problem);
            }
            runtime.createProcessInstanceByKey(DELIVERY).businessKey(businessKey).setVariables(vars).execute();
        }
    }

    /** Reads the report from the history tables and keeps it on the campaign instance. */
    static class CompileReport implements JavaDelegate {
        private final ReportReader reports;
        private final ObjectMapper json;

        CompileReport(ReportReader reports, ObjectMapper json) {
            this.reports = reports;
            this.json = json;
        }

        @Override
        public void execute(DelegateExecution execution) throws JsonProcessingException {
            var report = reports.read(execution.getProcessInstanceId(), execution.getProcessBusinessKey(),
                    ((Date) execution.getVariable(Vars.STARTED_AT)).toInstant(),
                    (Integer) execution.getVariable(Vars.ROWS), (Integer) execution.getVariable(Vars.DUPLICATES));
            execution.setVariable(Vars.REPORT, json.writeValueAsString(report));
        }
    }

    /**
     * Pause: no new sends start (requests in flight finish); messages that reach their pacing step
     * wait for the resume, and the campaign dispatches no more. A paused campaign stays paused
     * across restarts (its state is a process variable).
     */
    static class Pause implements JavaDelegate {
        private final CampaignControl control;

        Pause(CampaignControl control) {
            this.control = control;
        }

        @Override
        public void execute(DelegateExecution execution) {
            if (Dispatch.state(execution) == CampaignControl.State.CANCELLED) {
                return;
            }
            execution.setVariable(Vars.STATE, CampaignControl.State.PAUSED.name());
            control.set(execution.getProcessInstanceId(), CampaignControl.State.PAUSED);
        }
    }

    /**
     * Resume: the waiting messages are woken, and the campaign's idle scopes restart at their pace,
     * one permit first, so the resume is no burst.
     */
    static class Resume implements JavaDelegate {
        private final CampaignControl control;
        private final Providers providers;
        private final Pacer pacer;

        Resume(CampaignControl control, Providers providers, Pacer pacer) {
            this.control = control;
            this.providers = providers;
            this.pacer = pacer;
        }

        @Override
        public void execute(DelegateExecution execution) {
            if (Dispatch.state(execution) != CampaignControl.State.PAUSED) {
                return;
            }
            execution.setVariable(Vars.STATE, CampaignControl.State.RUNNING.name());
            control.set(execution.getProcessInstanceId(), CampaignControl.State.RUNNING);
            CampaignSpec spec = CampaignSpec.parse(campaignJson(execution), baseDir(execution), providers.names(),
                    ((Date) execution.getVariable(Vars.STARTED_AT)).toInstant().minusSeconds(1));
            pacer.settle(providers.scopes(spec.provider(), spec.from(), null));
            wake(execution);
        }
    }

    /**
     * Cancel: every message not yet sent ends {@code CANCELLED}, those never dispatched included;
     * requests in flight finish and keep their outcome. Waiting messages are woken at once, so the
     * campaign ends now rather than when their timers would have fired.
     */
    static class Cancel implements JavaDelegate {
        private final CampaignControl control;
        private final Clock clock;

        Cancel(CampaignControl control, Clock clock) {
            this.control = control;
            this.clock = clock;
        }

        @Override
        public void execute(DelegateExecution execution) {
            execution.setVariable(Vars.STATE, CampaignControl.State.CANCELLED.name());
            control.set(execution.getProcessInstanceId(), CampaignControl.State.CANCELLED);
            wake(execution);
            ManagementService management = execution.getProcessEngineServices().getManagementService();
            Set<String> waits = Set.of("Timer_WaitSlot", "Timer_SendWindow", "Timer_RetryAfter", "Timer_Backoff");
            Set<String> definitions = management.createJobDefinitionQuery().processDefinitionKey(DELIVERY).list().stream()
                    .filter(d -> waits.contains(d.getActivityId())).map(JobDefinition::getId).collect(Collectors.toSet());
            Date now = Date.from(clock.instant());
            for (ProcessInstance message : execution.getProcessEngineServices().getRuntimeService().createProcessInstanceQuery()
                    .processDefinitionKey(DELIVERY).processInstanceBusinessKeyLike(messagePrefix(execution.getProcessInstanceId()) + "%").list()) {
                for (Job job : management.createJobQuery().processInstanceId(message.getId()).timers().list()) {
                    if (definitions.contains(job.getJobDefinitionId()) && job.getDuedate().after(now)) {
                        management.setJobDuedate(job.getId(), now);
                    }
                }
            }
        }
    }

    /** Wakes the campaign's messages that wait for the resume: they go back to their pacing step. */
    private static void wake(DelegateExecution execution) {
        execution.getProcessEngineServices().getRuntimeService().createMessageCorrelation(CampaignControl.RESUMED)
                .processInstanceVariableEquals(Vars.CAMPAIGN_ID, execution.getProcessInstanceId()).correlateAllWithResult();
    }

    /** Counts each message's outcome as it ends, for the live progress display. */
    static class MessageFinished implements ExecutionListener {
        private final DeliveryStats stats;

        MessageFinished(DeliveryStats stats) {
            this.stats = stats;
        }

        @Override
        public void notify(DelegateExecution execution) {
            Object outcome = execution.getVariable(Vars.OUTCOME);
            stats.finished(outcome == null ? Outcome.PENDING : Outcome.valueOf(outcome.toString()));
        }
    }
}
