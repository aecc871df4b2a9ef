package dev.pacer.flow;

import org.camunda.bpm.engine.impl.cfg.TransactionState;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;

/** Work a step leaves until its transaction has committed: news told outside (a rolled-back step tells nobody). */
public final class AfterCommit {

    private AfterCommit() {
    }

    /** Runs {@code told} once the engine's current transaction commits; at once outside one. */
    public static void run(Runnable told) {
        CommandContext context = Context.getCommandContext();
        if (context == null) {
            told.run();
            return;
        }
        context.getTransactionContext().addTransactionListener(TransactionState.COMMITTED, committed -> told.run());
    }
}
