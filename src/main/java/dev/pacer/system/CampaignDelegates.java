package dev.pacer.system;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.audit.ReportReader;
import dev.pacer.campaign.Audience;
import dev.pacer.campaign.CampaignSpec;
import dev.pacer.campaign.PhoneNumbers;
import dev.pacer.campaign.Recipient;
import dev.pacer.throttle.Segments;
import org.camunda.bpm.engine.RuntimeService;
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
import java.util.Optional;

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

        @Override
        public void execute(DelegateExecution execution) {
            String prefix = messagePrefix(execution.getProcessInstanceId());
            int rows = (Integer) execution.getVariable(Vars.ROWS);
            int cursor = (Integer) execution.getVariable(Vars.CURSOR);
            long live = runtime.createProcessInstanceQuery().processDefinitionKey(DELIVERY)
                    .processInstanceBusinessKeyLike(prefix + "%").count();
            long room = Math.min(settings.batch(), settings.window() - live);
            int started = 0;
            if (cursor < rows && room > 0) {
                Instant startedAt = ((Date) execution.getVariable(Vars.STARTED_AT)).toInstant();
                CampaignSpec spec = CampaignSpec.parse(campaignJson(execution), baseDir(execution), providers.names(), startedAt.minusSeconds(1));
                BitSet first = BitSet.valueOf((byte[]) execution.getVariable(Vars.FIRST_ROWS));
                Instant deadline = spec.deadlineFor(startedAt);
                try (Audience audience = Audience.open(spec)) {
                    while (audience.hasNext() && started < room) {
                        Recipient r = audience.next();
                        if (r.row() <= cursor) {
                            continue;
                        }
                        cursor = r.row();
                        if (first.get(r.row())) {
                            start(prefix + r.row(), spec, r, deadline);
                            started++;
                        }
                    }
                    if (!audience.hasNext()) {
                        cursor = rows;
                    }
                }
                stats.dispatched.add(started);
            }
            execution.setVariable(Vars.CURSOR, cursor);
            execution.setVariable(Vars.ALL_DONE, cursor >= rows && live + started == 0);
        }

        private void start(String businessKey, CampaignSpec spec, Recipient r, Instant deadline) {
            Map<String, Object> vars = new HashMap<>();
            vars.put(Vars.PROVIDER, spec.provider());
            vars.put(Vars.FROM, spec.from());
            vars.put(Vars.TO, r.to());
            vars.put(Vars.PRIORITY, spec.priority().name());
            vars.put(Vars.DEADLINE, deadline == null ? null : Date.from(deadline));
            vars.put(Vars.ATTEMPTS, 0);
            vars.put(Vars.FAILURES, 0);
            vars.put(Vars.RATE_LIMITED, 0);
            if (spec.maxRate() != null) {
                vars.put(Vars.CAMPAIGN_RATE, spec.maxRate());
            }
            Optional<String> problem = PhoneNumbers.problem(r.to());
            String text = null;
            if (problem.isEmpty()) {
                try {
                    text = spec.text().render(r.fields());
                    if (text.isBlank()) {
                        problem = Optional.of("the text is empty once filled in");
                    }
                } catch (IllegalArgumentException e) {
                    problem = Optional.of(e.getMessage());
                }
            }
            vars.put(Vars.TEXT, text);
            vars.put(Vars.SEGMENTS, problem.isPresent() || text == null ? 0 : Segments.count(text).segments());
            vars.put(Vars.OUTCOME, problem.isPresent() ? Outcome.INVALID.name() : Outcome.PENDING.name());
            problem.ifPresent(p -> vars.put(Vars.REASON, "invalid recipient in row " + r.row() + ": " + p));
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
