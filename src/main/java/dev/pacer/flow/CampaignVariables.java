package dev.pacer.flow;

import java.time.Instant;

/** The variables of a {@code campaign} instance. */
public final class CampaignVariables {

    /** The campaign file's JSON, as given. */
    public static final Variable<String> CAMPAIGN = Variable.text("campaign");
    /** The folder a relative {@code recipientsFile} is read from. */
    public static final Variable<String> CAMPAIGN_DIR = Variable.text("campaignDir");
    /** Given to run a finished campaign again under its name; without it a second run is refused. */
    public static final Variable<Boolean> AGAIN = Variable.flag("again");
    /** Rows in the audience, and of those the duplicates skipped. */
    public static final Variable<Integer> ROWS = Variable.integer("rows");
    public static final Variable<Integer> DUPLICATES = Variable.integer("duplicates");
    /** A bit per row: set for the first occurrence of each number. */
    public static final Variable<byte[]> FIRST_ROWS = Variable.bytes("firstRows");
    /** The last row dispatched, and where in the audience file it ended. */
    public static final Variable<Integer> CURSOR = Variable.integer("cursor");
    public static final Variable<Long> POSITION = Variable.number("position");
    public static final Variable<Instant> STARTED_AT = Variable.instant("startedAt");
    public static final Variable<Boolean> ALL_DONE = Variable.flag("allDone");
    /** When the dispatch step runs again: at once after a batch the pace cut short, else after the dispatch interval. */
    public static final Variable<Instant> NEXT_BATCH_AT = Variable.timer("nextBatchAt");
    /** The report, as JSON, once the campaign has finished. */
    public static final Variable<String> REPORT = Variable.text("report");
    public static final Variable<CampaignState> STATE = Variable.constant("state", CampaignState.class);
    /** Rows a cancel left undispatched: they end {@code CANCELLED} without an instance each. */
    public static final Variable<Integer> CANCELLED_UNDISPATCHED = Variable.integer("cancelledUndispatched");
    /** Why the campaign paused itself (its provider refused the account), until it is resumed. */
    public static final Variable<String> PAUSE_REASON = Variable.text("pauseReason");
    /** The number of the last pause, resume or cancel request ({@code PACER_CAMPAIGN_CONTROL}) the campaign applied. */
    public static final Variable<Long> CONTROL_APPLIED = Variable.number("controlApplied");
    /** The last such request applied: what, by whom, when, and why. */
    public static final Variable<String> LAST_CONTROL = Variable.text("lastControl");
    /** Whether its provider was the built-in simulator: nothing reached a real recipient. */
    public static final Variable<Boolean> SIMULATED = Variable.flag("simulated");

    private CampaignVariables() {
    }
}
