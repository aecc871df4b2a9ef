package dev.pacer.campaign;

import dev.pacer.delivery.BatchDelivery;
import dev.pacer.flow.CampaignState;
import dev.pacer.flow.Outcome;
import dev.pacer.flow.Processes;
import dev.pacer.metrics.DeliveryStats;
import dev.pacer.provider.Providers;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.runtime.Execution;
import org.camunda.bpm.engine.runtime.Job;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.pacer.flow.CampaignVariables.ALL_DONE;
import static dev.pacer.flow.CampaignVariables.CANCELLED_UNDISPATCHED;
import static dev.pacer.flow.CampaignVariables.CONTROL_APPLIED;
import static dev.pacer.flow.CampaignVariables.CURSOR;
import static dev.pacer.flow.CampaignVariables.FIRST_ROWS;
import static dev.pacer.flow.CampaignVariables.NEXT_BATCH_AT;
import static dev.pacer.flow.CampaignVariables.POSITION;
import static dev.pacer.flow.CampaignVariables.ROWS;
import static dev.pacer.flow.CampaignVariables.STARTED_AT;
import static dev.pacer.flow.MessageVariables.CAMPAIGN_ID;
import static dev.pacer.flow.MessageVariables.CAMPAIGN_RATE;
import static dev.pacer.flow.MessageVariables.DEADLINE;
import static dev.pacer.flow.MessageVariables.FROM;
import static dev.pacer.flow.MessageVariables.OUTCOME;
import static dev.pacer.flow.MessageVariables.PRIORITY;
import static dev.pacer.flow.MessageVariables.PROVIDER;
import static dev.pacer.flow.MessageVariables.REASON;
import static dev.pacer.flow.MessageVariables.FALLBACK_PROVIDER;
import static dev.pacer.flow.MessageVariables.ON_DOUBT;
import static dev.pacer.flow.MessageVariables.SEND_WINDOW;
import static dev.pacer.flow.MessageVariables.TEXT;
import static dev.pacer.flow.MessageVariables.TIMEZONE;
import static dev.pacer.flow.MessageVariables.TO;

/**
 * Streams the audience from where the last run stopped: the messages whose send slots fall due
 * within the batch's horizon are sent by this step ({@link BatchDelivery}); the others that cannot
 * be batched (real-time, with a send window, or with batches off) start instances of the
 * {@code delivery} flow, up to the campaign's window of live instances. Sets {@code nextBatchAt},
 * when this step runs again, and {@code allDone} once every row is dispatched and every message ended.
 */
public class DispatchMessages implements JavaDelegate {

    /**
     * @param window the most message instances of one campaign alive at once
     * @param batch  the most message instances started in one transaction
     * @param receipts whether messages wait for their receipts once the provider took them (and then do not hold the window)
     * @param interval how long the step waits before it runs again when its last run was not cut short by the pace
     */
    public record Settings(int window, int batch, boolean receipts, Duration interval) {
    }


    /** The longest a campaign whose rows are all dispatched sleeps between two looks at its messages. */
    private static final Duration IDLE_MOST = Duration.ofMinutes(10);
    /** How often it looks while messages wait for receipts. */
    private static final Duration RECEIPT_POLL = Duration.ofSeconds(5);

    /** Longer than any phone number or time zone name: a value past it is invalid and cut to it for its column. */
    private static final int MAX_NUMBER = 64;

    private final RuntimeService runtime;
    private final Providers providers;
    private final Settings settings;
    private final DeliveryStats stats;
    private final BatchDelivery batches;
    private final Clock clock;
    private final ControlRequests requests;
    private final ControlRequests.Steps control;

    /**
     * @param requests the pause, resume and cancel requests this step applies before it dispatches
     * @param control  the steps that apply them
     */
    public DispatchMessages(RuntimeService runtime, Providers providers, Settings settings, DeliveryStats stats, BatchDelivery batches,
                            Clock clock, ControlRequests requests, ControlRequests.Steps control) {
        this.requests = requests;
        this.control = control;
        this.batches = batches;
        this.clock = clock;
        this.runtime = runtime;
        this.providers = providers;
        this.settings = settings;
        this.stats = stats;
    }

    @Override
    public void execute(DelegateExecution execution) throws Exception {
        String campaignId = execution.getProcessInstanceId();
        // a pause, resume or cancel asked for over the API since the last run (without touching this instance)
        requests.apply(execution, control);
        int rows = ROWS.require(execution);
        int cursor = CURSOR.require(execution);
        long live = runtime.createProcessInstanceQuery().processDefinitionKey(Processes.DELIVERY)
                .processInstanceBusinessKeyLike(Processes.messageKeys(campaignId)).count();
        CampaignState state = CampaignInstance.state(execution);
        if (state != CampaignState.PAUSED) {
            wakeStragglers(execution, campaignId);
        }
        // messages the provider took that only wait for their receipt do not hold the window (counted
        // before the batch opens: its horizon starts with it)
        long awaitingReceipts = live == 0 || !settings.receipts() ? 0 : awaitingReceipts(execution, campaignId);
        BitSet first = BitSet.valueOf(FIRST_ROWS.require(execution));
        BatchDelivery.Batch batch = batches.enabled() && cursor < rows
                ? batches.open(campaignId, execution.getProcessEngineServices(), state == CampaignState.RUNNING, cursor) : null;
        // a run that never committed after its requests went out is settled first, whatever the campaign's state
        boolean recovering = batch != null && batch.recovering();
        if (state == CampaignState.CANCELLED && cursor < rows && !recovering) {
            // the rows never dispatched end CANCELLED without an instance each: they are counted
            CANCELLED_UNDISPATCHED.set(execution, first.get(cursor + 1, rows + 1).cardinality());
            cursor = rows;
        }
        long room = state == CampaignState.RUNNING ? Math.min(settings.batch(), settings.window() - (live - awaitingReceipts)) : 0;
        int started = 0;
        int handedOver = 0;
        int taken = 0;
        Instant next = clock.instant().plus(settings.interval());
        if (cursor < rows && (room > 0 || recovering)) {
            Instant startedAt = STARTED_AT.require(execution);
            CampaignSpec spec = CampaignInstance.spec(execution, providers);
            Instant deadline = spec.deadlineFor(startedAt);
            long position = POSITION.get(execution, 0L);
            try (Audience audience = Audience.open(spec, position, cursor)) {
                boolean full = false;
                while (audience.hasNext() && (batch != null && batch.recovering()
                        || started < room && started + (batch == null ? 0 : batch.size()) < settings.batch())) {
                    int before = cursor;
                    long positionBefore = audience.position();
                    Recipient r = audience.next();
                    cursor = r.row();
                    if (first.get(r.row())) {
                        String key = Processes.messageKey(campaignId, r.row());
                        Map<String, Object> vars = variables(campaignId, spec, r, deadline);
                        BatchDelivery.Offer offer = batch == null ? BatchDelivery.Offer.INSTANCE : batch.offer(key, vars);
                        if (offer == BatchDelivery.Offer.FULL) {
                            // its slot is past this batch's horizon: the next run starts with it
                            cursor = before;
                            full = true;
                            next = batch.nextRun();
                            POSITION.set(execution, positionBefore);
                            break;
                        }
                        if (offer == BatchDelivery.Offer.INSTANCE) {
                            runtime.createProcessInstanceByKey(Processes.DELIVERY).businessKey(key).setVariables(vars).execute();
                            started++;
                        }
                    }
                }
                if (!full) {
                    if (!audience.hasNext()) {
                        cursor = rows;
                    } else if (batch != null && started < room) {
                        // cut short by the batch's size, not by the pace: the next batch runs at once
                        next = clock.instant();
                    }
                    POSITION.set(execution, audience.position());
                }
            }
            if (batch != null) {
                taken = batch.size();
                handedOver = batch.deliver();
                stats.dispatched(taken);
            }
            stats.dispatched(started);
        }
        CURSOR.set(execution, cursor);
        Instant now = clock.instant();
        if (!next.isAfter(now) && started + handedOver + taken == 0) {
            // nothing could be done now (a slot no sooner than the next run): never run again at once
            next = now.plus(settings.interval());
        }
        if (cursor >= rows && live > 0 && started + handedOver + taken == 0) {
            // every row is dispatched: the campaign only waits for its messages to end, which they do in
            // their jobs or, waiting for a receipt, when it comes; it does not wake every interval through
            // a wait of hours (a daily quota, a provider's long Retry-After)
            next = later(next, waitingFor(execution, campaignId, now, awaitingReceipts > 0));
        }
        NEXT_BATCH_AT.set(execution, next.isBefore(now) ? now : next);
        boolean allDone = cursor >= rows && live + started + handedOver == 0;
        ALL_DONE.set(execution, allDone);
        if (!allDone && next.isAfter(now)) {
            applyLateRequests(execution, campaignId);
        }
    }

    /**
     * A pause, resume or cancel recorded while this run went on found the campaign's job taken and
     * left it to this run, which had looked before it came: once this run has committed, its next
     * run is moved to now if such a request waits. Otherwise it would wait for that run, which may
     * be minutes away while the campaign's messages wait for a slow pace or a quota. Either this
     * look or the request's own wake-up sees the other's commit.
     */
    private void applyLateRequests(DelegateExecution execution, String campaignId) {
        long applied = CONTROL_APPLIED.get(execution, 0L);
        ManagementService management = execution.getProcessEngineServices().getManagementService();
        CampaignControl.afterCommit(() -> {
            if (requests.after(campaignId, applied).isPresent()) {
                CampaignControl.wakeDispatch(management, campaignId, clock.instant());
            }
        });
    }

    /**
     * When the first job of the campaign's messages is due (at most {@link #IDLE_MOST} from now, and
     * {@link #RECEIPT_POLL} while messages wait for receipts, which end them without a job).
     */
    private static Instant waitingFor(DelegateExecution execution, String campaignId, Instant now, boolean receipts) {
        ManagementService management = execution.getProcessEngineServices().getManagementService();
        // the message whose job is due first, then that job
        List<Execution> message = execution.getProcessEngineServices().getRuntimeService().createNativeExecutionQuery()
                .sql("select E.* from " + management.getTableName(Execution.class) + " E join " + management.getTableName(Job.class)
                        + " J on J.PROCESS_INSTANCE_ID_ = E.ID_ where E.BUSINESS_KEY_ like #{keys} and J.RETRIES_ > 0 order by J.DUEDATE_ asc")
                .parameter("keys", Processes.messageKeys(campaignId)).listPage(0, 1);
        List<Job> first = message.isEmpty() ? List.of() : management.createJobQuery().processInstanceId(message.get(0).getProcessInstanceId())
                .withRetriesLeft().orderByJobDuedate().asc().listPage(0, 1);
        Instant most = now.plus(receipts ? RECEIPT_POLL : IDLE_MOST);
        if (first.isEmpty() || first.get(0).getDuedate() == null) {
            return most;
        }
        Instant due = first.get(0).getDuedate().toInstant();
        return due.isBefore(most) ? due : most;
    }

    /**
     * Wakes the campaign's messages still waiting for its resume though it runs (or was cancelled):
     * one that found it paused just before the resume, and came to wait after the resume had woken
     * the others, would wait for ever.
     */
    private static void wakeStragglers(DelegateExecution execution, String campaignId) {
        ManagementService management = execution.getProcessEngineServices().getManagementService();
        RuntimeService runtime = execution.getProcessEngineServices().getRuntimeService();
        String executions = management.getTableName(Execution.class);
        List<Execution> waiting = runtime.createNativeExecutionQuery().sql("select E.* from " + executions + " E join "
                        + management.getTableName(org.camunda.bpm.engine.impl.persistence.entity.EventSubscriptionEntity.class) + " S on S.EXECUTION_ID_ = E.ID_ join "
                        + executions + " P on P.ID_ = E.PROC_INST_ID_ where S.EVENT_NAME_ = #{event} and P.BUSINESS_KEY_ like #{keys}")
                .parameter("event", Processes.RESUMED).parameter("keys", Processes.messageKeys(campaignId)).listPage(0, 500);
        if (!waiting.isEmpty()) {
            CampaignControl.afterCommit(() -> waiting.forEach(e -> CampaignControl.ownCommand(
                    () -> runtime.messageEventReceived(Processes.RESUMED, e.getId()))));
        }
    }

    /**
     * The campaign's messages waiting for their receipts: their subscriptions joined to their
     * instances' business keys, by index (a query by the campaign's variable scans every waiting
     * message's variables: 3 s with 1,500 waiting, which left a batch's horizon behind it).
     */
    private static long awaitingReceipts(DelegateExecution execution, String campaignId) {
        ManagementService management = execution.getProcessEngineServices().getManagementService();
        return execution.getProcessEngineServices().getRuntimeService().createNativeExecutionQuery()
                .sql("select count(*) from " + management.getTableName(org.camunda.bpm.engine.impl.persistence.entity.EventSubscriptionEntity.class)
                        + " S join " + management.getTableName(Execution.class) + " P on P.ID_ = S.PROC_INST_ID_ "
                        + "where S.EVENT_NAME_ = #{event} and P.BUSINESS_KEY_ like #{keys}")
                .parameter("event", Processes.RECEIPT).parameter("keys", Processes.messageKeys(campaignId)).count();
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    /** The variables of the message of row {@code r}, as its instance would start with them. */
    private static Map<String, Object> variables(String campaignId, CampaignSpec spec, Recipient r, Instant deadline) {
        Map<String, Object> vars = new HashMap<>();
        String problem = null;
        CAMPAIGN_ID.put(vars, campaignId);
        PROVIDER.put(vars, spec.provider());
        if (spec.fallbackProvider() != null) {
            FALLBACK_PROVIDER.put(vars, spec.fallbackProvider());
        }
        FROM.put(vars, spec.from());
        String to = r.to();
        if (to != null && to.length() > MAX_NUMBER) {
            // no number is this long; kept short so that it fits its column
            problem = "'to' is " + to.length() + " characters long";
            to = to.substring(0, MAX_NUMBER);
        }
        TO.put(vars, to);
        PRIORITY.put(vars, spec.priority());
        DEADLINE.put(vars, deadline);
        if (spec.maxRate() != null) {
            CAMPAIGN_RATE.put(vars, spec.maxRate());
        }
        if (spec.onDoubt() != null) {
            ON_DOUBT.put(vars, spec.onDoubt());
        }
        if (spec.sendWindow() != null) {
            SEND_WINDOW.put(vars, spec.sendWindow().toString());
            String zone = r.fields().get(TIMEZONE.name());
            if (zone != null && !zone.isBlank()) {
                TIMEZONE.put(vars, zone.length() > MAX_NUMBER ? zone.substring(0, MAX_NUMBER) : zone);
            }
        }
        String text = null;
        try {
            text = spec.text().render(r.fields());
        } catch (IllegalArgumentException e) {
            problem = e.getMessage();
        }
        if (text != null && text.length() > CampaignSpec.MAX_TEXT) {
            problem = "the text filled in is " + text.length() + " characters, over the " + CampaignSpec.MAX_TEXT + " a message may have";
            text = null;
        }
        TEXT.put(vars, text);
        if (problem != null) {
            OUTCOME.put(vars, Outcome.INVALID);
            REASON.put(vars, "invalid recipient in row " + r.row() + ": " + problem);
        }
        return vars;
    }
}
