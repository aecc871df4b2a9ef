package dev.pacer.delivery;

import dev.pacer.flow.Activities;
import dev.pacer.flow.Outcome;
import dev.pacer.flow.Processes;
import dev.pacer.flow.StepProperties;
import dev.pacer.flow.ReceiptState;
import dev.pacer.flow.Slot;
import dev.pacer.flow.Wait;
import dev.pacer.provider.MessageSender;
import dev.pacer.provider.SendResult;
import dev.pacer.throttle.Grant;
import dev.pacer.throttle.Pacer;
import dev.pacer.throttle.Priority;
import org.camunda.bpm.engine.ProcessEngineServices;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.VariableScope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;

import static dev.pacer.flow.MessageVariables.DEADLINE;
import static dev.pacer.flow.MessageVariables.FROM;
import static dev.pacer.flow.MessageVariables.OUTCOME;
import static dev.pacer.flow.MessageVariables.PRIORITY;
import static dev.pacer.flow.MessageVariables.PROVIDER;
import static dev.pacer.flow.MessageVariables.RECEIPT;
import static dev.pacer.flow.MessageVariables.SEGMENTS;
import static dev.pacer.flow.MessageVariables.SEND_WINDOW;
import static dev.pacer.flow.MessageVariables.SLOT;
import static dev.pacer.flow.MessageVariables.TICKET;
import static dev.pacer.flow.MessageVariables.SLOT_AT;
import static dev.pacer.flow.MessageVariables.SLOT_GENERATION;
import static dev.pacer.flow.MessageVariables.TO;

/**
 * Sends a campaign's messages in batches, from its dispatch step: the messages whose send slots
 * fall due within the next {@code horizon} are prepared, paced and sent by that one job, in one
 * transaction, each at its slot, with as many requests in flight as their scopes allow. A message
 * the batch ends (accepted, rejected, invalid, suppressed, expired) is written as one row of
 * {@link BatchedMessages}, in bulk, and has no instance; only a message that must wait (a 429, a
 * transient failure, a send in doubt, a scope held, its campaign paused, a receipt to come) becomes
 * an instance of the {@code delivery} flow, started at the step it waits in (its timer, its retry
 * policy, the provider's question), with its attempt so far. A real-time campaign's messages are
 * batched too, in the pacer's real-time lane (no job hop after the dispatch step); messages with a
 * send window are instances from the start, as before.
 *
 * <p>A send is as safe as the send step's: the batch's sends are recorded in the ledger (committed)
 * before the first request goes out, their answers after the last (committed), and the batch's own
 * transaction commits last. A batch that never commits is run again from the same audience row; it
 * finds its sends in the ledger, uses the answers recorded, and asks the provider about the rest.
 */
public class BatchDelivery {

    private static final Logger log = LoggerFactory.getLogger(BatchDelivery.class);
    /**
     * How long before the first slot a full batch left the next one starts: more than the job
     * executor's pick-up of a due timer (a 50 ms poll, and its threads busy), so that no slot goes
     * by unused between batches; the next batch waits the rest in its own thread.
     */
    private static final Duration LEAD = Duration.ofMillis(200);

    /**
     * @param enabled whether campaigns send in batches at all (otherwise every message is an instance)
     * @param horizon how far ahead of now a batch takes send slots: its longest run
     */
    public record Settings(boolean enabled, Duration horizon) {
    }

    /** How a batch waits for its next slot while answers come back. */
    @FunctionalInterface
    public interface SlotWait {
        /** The next answer that comes back before {@code until}, or null once {@code until} has come. */
        Sent next(BlockingQueue<Sent> answers, Instant until) throws InterruptedException;
    }

    /** What {@link Batch#offer} did with a message. */
    public enum Offer {
        /** the batch took it: it sends it or has ended it */
        TAKEN,
        /** not a message for a batch: start its instance */
        INSTANCE,
        /** its slot lies beyond the batch's horizon: it waits for the next batch (and so do those after it) */
        FULL
    }

    /**
     * One send's answer, back from the thread that sent it, with the requests of its account still in
     * flight beside it when the answer came (what a refusal for too many at once is measured by).
     */
    public record Sent(Pending message, SendResult result, Integer inFlightBeside) {
    }

    private final PrepareDelegate prepare;
    private final DeliverySteps steps;
    private final SendDelegate send;
    private final Pacer pacer;
    private final MessageSender sender;
    private final SendLedger ledger;
    private final BatchedMessages messages;
    private final MessageFinishedListener finished;
    private final Clock clock;
    private final Executor sends;
    private final SlotWait slotWait;
    private final Settings settings;

    /**
     * @param sends    runs the requests, as many at once as the scopes' in-flight places allow
     * @param slotWait waits for the next slot (the tests' moves the engine clock)
     */
    public BatchDelivery(PrepareDelegate prepare, DeliverySteps steps, SendDelegate send, Pacer pacer, MessageSender sender,
                         SendLedger ledger, BatchedMessages messages, MessageFinishedListener finished, Clock clock, Executor sends,
                         SlotWait slotWait, Settings settings) {
        this.prepare = prepare;
        this.steps = steps;
        this.send = send;
        this.pacer = pacer;
        this.sender = sender;
        this.ledger = ledger;
        this.messages = messages;
        this.finished = finished;
        this.clock = clock;
        this.sends = sends;
        this.slotWait = slotWait;
        this.settings = settings;
    }

    /** The wait of a live engine: answers as they come, until the slot's time on the clock. */
    public static SlotWait realTime(Clock clock) {
        return (answers, until) -> answers.poll(Math.max(0, Duration.between(clock.instant(), until).toNanos()),
                java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    public boolean enabled() {
        return settings.enabled();
    }

    /**
     * A batch of campaign instance {@code campaignId}, for one run of its dispatch step.
     *
     * @param running whether the campaign is running: when it is not, the batch sends nothing and
     *                only settles what a run that never committed sent ({@link Batch#recovering})
     * @param cursor  the last audience row dispatched: the sends of a run that never committed are past it
     */
    public Batch open(String campaignId, ProcessEngineServices engine, boolean running, int cursor) {
        return new Batch(campaignId, engine, running, cursor);
    }

    /** A message the batch took, and what became of it. */
    public static final class Pending {
        private final MessageRef message;
        /** The scopes it is sent in; none for a message the batch ends, or settles, without a send. */
        private final List<String> scopes;
        private SendDelegate.Ready ready;
        private Instant sentAt;
        private SendResult result;
        private BpmnError error;
        private boolean recorded;

        private Pending(MessageRef message, List<String> scopes) {
            this.message = message;
            this.scopes = scopes;
        }
    }

    /** The messages of one run of a campaign's dispatch step, offered one by one, then {@linkplain #deliver delivered}. */
    public final class Batch {

        private final ProcessEngineServices engine;
        private final Instant now;
        private final Instant horizonEnd;
        /** Sends recorded by a run of this step that never committed, by send key. */
        private final Map<String, SendLedger.Entry> earlier;
        private final boolean running;
        /** What the latest delivery flow's steps set (its account), as the instance each message stands for would follow it. */
        private final StepProperties flowSteps;
        private final List<Pending> toSend = new ArrayList<>();
        private final List<Pending> done = new ArrayList<>();
        private Instant nextRun;

        private Batch(String campaignId, ProcessEngineServices engine, boolean running, int cursor) {
            this.engine = engine;
            this.running = running;
            this.flowSteps = prepare.latestSteps();
            this.now = clock.instant();
            this.horizonEnd = now.plus(settings.horizon());
            // a batch's sends are its messages' first; those of rows dispatched before are their instances' own
            this.earlier = new HashMap<>();
            ledger.findAll(Processes.messageKeys(campaignId)).forEach((key, entry) -> {
                String message = entry.messageId();
                if (key.equals(SendLedger.key(message, 1)) && Integer.parseInt(Processes.rowOf(message)) > cursor) {
                    earlier.put(key, entry);
                }
            });
            if (!earlier.isEmpty()) {
                log.warn("campaign {}: a run of its batch sent {} messages and never committed (the node stopped, or its commit failed): "
                        + "their recorded answers stand, the rest are asked about, nothing is sent twice", campaignId, earlier.size());
            }
        }

        /**
         * Offers the message {@code key} with the variables its instance would start with; the
         * batch prepares it (as the flow's first step does) and takes a send slot for it.
         */
        public Offer offer(String key, Map<String, Object> variables) {
            MessageRef message = MessageRef.detached(key, variables, engine);
            VariableScope vars = message.vars();
            prepare.check(vars, now, flowSteps);
            SendLedger.Entry sent = earlier.remove(SendLedger.key(key, 1));
            if (sent != null) {
                // sent by a run of this batch that never committed: its answer stands, or the provider is asked
                Pending p = new Pending(message, List.of());
                p.recorded = true;
                try {
                    send.resume(message, sent, now);
                } catch (BpmnError e) {
                    p.error = e;
                }
                done.add(p);
                return Offer.TAKEN;
            }
            if (OUTCOME.get(vars) != Outcome.PENDING) {
                // invalid or suppressed: it ends here, as the flow's first step would end it
                done.add(new Pending(message, List.of()));
                return Offer.TAKEN;
            }
            if (SEND_WINDOW.get(vars) != null || !running) {
                // a campaign paused or cancelled while its batch was being settled: the instance waits or ends as the flow says
                return Offer.INSTANCE;
            }
            List<String> scopes = steps.scopes(vars, key);
            int segments = SEGMENTS.require(vars);
            // a real-time campaign's message takes the real-time lane here as an instance would: ahead of bulk sends booked
            Grant grant = pacer.reserve(scopes, segments, PRIORITY.require(vars), -1);
            if (!grant.reserved() || grant.at().isAfter(horizonEnd)) {
                pacer.release(scopes, grant, segments);
                // a slot: the next batch runs just before it; a place in the bulk queue: when the queue says to ask again
                nextRun = grant.reserved() ? grant.at().minus(LEAD) : grant.at();
                return Offer.FULL;
            }
            Instant deadline = DEADLINE.get(vars);
            if (deadline != null && grant.at().isAfter(deadline)) {
                pacer.release(scopes, grant, segments);
                steps.end(vars, Outcome.EXPIRED, "no send slot before the deadline " + deadline);
                done.add(new Pending(message, List.of()));
                return Offer.TAKEN;
            }
            SLOT.set(vars, Slot.NOW);
            SLOT_AT.set(vars, grant.at());
            SLOT_GENERATION.set(vars, grant.generation());
            toSend.add(new Pending(message, scopes));
            return Offer.TAKEN;
        }

        /**
         * Whether sends of a run of this step that never committed are still to be settled (its
         * transaction failed after the requests went out: the node stopped, or a pause, resume or
         * cancel of the campaign raced it): the rows from the cursor are offered until they are,
         * whatever the campaign's state, so that none is counted undispatched or left without an outcome.
         */
        public boolean recovering() {
            return !earlier.isEmpty();
        }

        /** When the next batch should run, once this one is full: just before the first slot it left. */
        public Instant nextRun() {
            return nextRun;
        }

        /** How many messages the batch took. */
        public int size() {
            return toSend.size() + done.size();
        }

        /**
         * Sends what the batch took, each at its slot, and settles every message: ended ones recorded
         * in bulk, the ones that must wait started as instances at the step they wait in.
         *
         * @return how many messages went on as instances
         */
        public int deliver() throws InterruptedException {
            Instant startedAt = clock.instant();
            ledger.beginAll(toSend.stream().map(p -> new SendLedger.Begin(SendLedger.key(p.message.key(), 1), p.message.key(),
                    PROVIDER.require(p.message.vars()), FROM.require(p.message.vars()), TO.require(p.message.vars()))).toList(), startedAt);
            BlockingQueue<Sent> answers = new LinkedBlockingQueue<>();
            int inFlight = 0;
            boolean completed = false;
            try {
                for (Pending p : toSend) {
                    // the slot as the message keeps it (to the millisecond, rounded up), which its send step checks
                    Instant slotAt = SLOT_AT.require(p.message.vars());
                    for (Sent s = slotWait.next(answers, slotAt); s != null; s = slotWait.next(answers, slotAt)) {
                        answered(s);
                        inFlight--;
                    }
                    try {
                        p.ready = send.ready(p.message, p.scopes, clock.instant()).orElse(null);
                    } catch (BpmnError e) {
                        p.error = e;
                    }
                    if (p.ready == null) {
                        continue;
                    }
                    p.sentAt = clock.instant();
                    inFlight++;
                    sends.execute(() -> {
                        SendResult result = null;
                        try {
                            result = request(p);
                        } finally {
                            // whatever became of the thread, the batch hears of the request: it never waits for it forever
                            answers.add(new Sent(p, result != null ? result : SendResult.lost(0, "error", "the sending thread failed"),
                                    pacer.inFlight(p.ready.account().scope())));
                        }
                    });
                }
                for (; inFlight > 0; inFlight--) {
                    answered(answers.take());
                }
                completed = true;
            } finally {
                if (!completed) {
                    // a failure mid-batch: the answers of the requests that went out are kept, the sends that never did are forgotten
                    for (; inFlight > 0; inFlight--) {
                        Sent s = answers.take();
                        s.message().result = s.result();
                    }
                    ledger.forgetAllNow(toSend.stream().filter(p -> p.sentAt == null).map(p -> SendLedger.key(p.message.key(), 1)).toList());
                }
                Map<String, SendResult> toRecord = new LinkedHashMap<>();
                for (Pending p : toSend) {
                    if (p.result != null && !p.result.lost()) {
                        toRecord.put(SendLedger.key(p.message.key(), 1), p.result);
                    }
                }
                ledger.answerAll(toRecord, clock.instant());
            }
            done.addAll(toSend);
            return settle();
        }

        /** Sends one request, in a thread of the pool; a 429 holds its scopes at once, before the next send of the batch. */
        private SendResult request(Pending p) {
            SendDelegate.Ready ready = p.ready;
            SendResult result;
            try {
                result = sender.send(SendDelegate.outgoing(p.message, ready));
                if (send.answers().holdsScopes(ready.account(), result)) {
                    pacer.hold(ready.scopes(), result.retryWait() == null ? Duration.ZERO : result.retryWait());
                }
            } catch (RuntimeException e) {
                // the request may have gone out: the send is in doubt, as for a lost answer
                log.warn("send {} failed in the batch: {}", p.message.key(), e.toString());
                result = SendResult.lost(0, "error", e.toString());
            } finally {
                pacer.exit(ready.scopes());
            }
            return result;
        }

        private void answered(Sent s) {
            Pending p = s.message();
            p.result = s.result();
            try {
                send.answered(p.message, p.ready, SendLedger.key(p.message.key(), 1), s.result(), p.sentAt, s.inFlightBeside());
            } catch (BpmnError e) {
                p.error = e;
            }
        }

        /** Ends or hands over every message of the batch, in the batch's transaction; how many were handed over. */
        private int settle() {
            // sends that never went out are forgotten first: an instance that sends the message must not find them
            List<String> unsent = new ArrayList<>();
            for (Pending p : done) {
                if (p.sentAt == null && !p.recorded) {
                    unsent.add(SendLedger.key(p.message.key(), 1));
                }
            }
            ledger.forgetAll(unsent);
            int handedOver = 0;
            List<MessageRef> ended = new ArrayList<>();
            List<String> forget = new ArrayList<>();
            for (Pending p : done) {
                VariableScope vars = p.message.vars();
                Optional<String> waitsAt = waitsAt(p, vars);
                if (waitsAt.isPresent()) {
                    handOver(p.message, waitsAt.get());
                    handedOver++;
                } else {
                    ended.add(p.message);
                    if (p.sentAt != null || p.recorded) {
                        forget.add(SendLedger.key(p.message.key(), 1));
                    }
                    finished.tell(vars, p.message.key());
                }
            }
            messages.record(ended, clock.instant());
            ledger.forgetAll(forget);
            return handedOver;
        }

        /** Where in the delivery flow a message goes on waiting, or empty when it has ended. */
        private Optional<String> waitsAt(Pending p, VariableScope vars) {
            if (p.error != null) {
                return Optional.of(switch (p.error.getErrorCode()) {
                    case Processes.RATE_LIMITED -> Activities.RETRY_AFTER;
                    case Processes.TRANSIENT -> Activities.CHOOSE_POLICY;
                    case Processes.IN_DOUBT -> Activities.JOIN_SETTLE;
                    default -> throw new IllegalStateException("unknown BPMN error " + p.error.getErrorCode());
                });
            }
            if (SLOT.get(vars) != Slot.END && OUTCOME.get(vars) == Outcome.PENDING) {
                // it asks for a slot again, from a timer due now: never inside this batch's transaction,
                // where its send would wait on the ledger rows the batch holds
                // a bulk message whose slot went asks again at the front of the queue, as in its own flow
                TICKET.set(vars, SLOT.get(vars) == Slot.RESLOT && PRIORITY.get(vars, Priority.BULK) == Priority.BULK ? Pacer.FRONT : -1L);
                SLOT.set(vars, Slot.RECHECK);
                SLOT_AT.set(vars, clock.instant());
                SLOT_GENERATION.set(vars, pacer.isLocal(SLOT_GENERATION.get(vars, -1L)) ? SLOT_GENERATION.get(vars) : -1L);
                return Optional.of(Wait.PACE.activityId());
            }
            if (OUTCOME.get(vars) == Outcome.ACCEPTED && RECEIPT.get(vars, ReceiptState.NONE) != ReceiptState.NONE) {
                return Optional.of(Activities.JOIN_OUTCOME);
            }
            return Optional.empty();
        }

        private void handOver(MessageRef message, String activity) {
            Map<String, Object> vars = message.vars().getVariables();
            message.engine().getRuntimeService().createProcessInstanceByKey(Processes.DELIVERY).businessKey(message.key())
                    .setVariables(vars).startBeforeActivity(activity).execute();
        }
    }
}
