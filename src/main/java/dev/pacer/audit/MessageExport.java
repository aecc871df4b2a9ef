package dev.pacer.audit;

import dev.pacer.delivery.BatchedMessages;
import dev.pacer.flow.Processes;
import dev.pacer.flow.Variable;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.pacer.flow.MessageVariables.ATTEMPTS;
import static dev.pacer.flow.MessageVariables.FAILURES;
import static dev.pacer.flow.MessageVariables.OUTCOME;
import static dev.pacer.flow.MessageVariables.PROVIDER_MESSAGE_ID;
import static dev.pacer.flow.MessageVariables.RATE_LIMITED;
import static dev.pacer.flow.MessageVariables.RECEIPT_CODE;
import static dev.pacer.flow.MessageVariables.RECEIPT_DESCRIPTION;
import static dev.pacer.flow.MessageVariables.REASON;
import static dev.pacer.flow.MessageVariables.SEGMENTS;
import static dev.pacer.flow.MessageVariables.TO;

/**
 * Every message of a campaign with its outcome, one CSV row each, streamed from the history tables
 * and the messages its batches ended (a campaign of 100,000 messages is not held in memory). Rows of the audience that never became a
 * message (duplicates, and rows a cancel left undispatched) are not in it; the report counts them.
 */
public final class MessageExport {

    public static final List<String> COLUMNS = List.of("row", "to", "outcome", "reason", "segments", "attempts", "rate_limited",
            "failures", "provider_message_id", "receipt_code", "receipt_description", "submitted_at", "finished_at", "message_id");
    /** The message variables behind the columns from {@code to} to {@code receipt_description}, in order. */
    private static final List<String> VARIABLES = Stream.of(TO, OUTCOME, REASON, SEGMENTS, ATTEMPTS, RATE_LIMITED, FAILURES,
            PROVIDER_MESSAGE_ID, RECEIPT_CODE, RECEIPT_DESCRIPTION).map(Variable::name).toList();

    private MessageExport() {
    }

    /** Writes the messages of campaign instance {@code campaignId} as CSV, with a header; returns how many. */
    public static long write(ReportReader reports, String campaignId, Appendable out) throws IOException {
        CSVPrinter csv = CSVFormat.DEFAULT.builder().setHeader(COLUMNS.toArray(String[]::new)).get().print(out);
        String[] current = {null};
        Map<String, Object> row = new HashMap<>();
        long[] count = {0};
        reports.jdbc().query("select p.PROC_INST_ID_, p.BUSINESS_KEY_, p.START_TIME_, p.END_TIME_, v.NAME_, v.TEXT_, v.LONG_ "
                + "from ACT_HI_PROCINST p join ACT_HI_VARINST v on v.PROC_INST_ID_ = p.PROC_INST_ID_ and v.STATE_ = 'CREATED' "
                + "where p.PROC_DEF_KEY_ = ? and p.BUSINESS_KEY_ like ? and v.NAME_ in ('" + String.join("', '", VARIABLES)
                + "') order by p.START_TIME_, p.PROC_INST_ID_", rs -> {
                    String id = rs.getString(1);
                    if (!id.equals(current[0])) {
                        flush(csv, row, count);
                        current[0] = id;
                        row.put("message_id", id);
                        String key = rs.getString(2);
                        row.put("row", Processes.rowOf(key));
                        row.put("submitted_at", timestamp(rs.getTimestamp(3)));
                        row.put("finished_at", timestamp(rs.getTimestamp(4)));
                    }
                    row.put(rs.getString(5), rs.getString(6) != null ? rs.getString(6) : rs.getObject(7));
                }, Processes.DELIVERY, Processes.messageKeys(campaignId));
        flush(csv, row, count);
        // the messages a batch ended, which have no instance: their message id is their key
        reports.jdbc().query("select KEY_, SUBMITTED_AT_, ENDED_AT_, TO_, OUTCOME_, REASON_, SEGMENTS_, ATTEMPTS_, RATE_LIMITED_, "
                + "FAILURES_, PROVIDER_MESSAGE_ID_, null, null from " + BatchedMessages.TABLE + " where CAMPAIGN_ID_ = ? order by ENDED_AT_", rs -> {
                    String key = rs.getString(1);
                    row.put("message_id", key);
                    row.put("row", Processes.rowOf(key));
                    row.put("submitted_at", timestamp(rs.getTimestamp(2)));
                    row.put("finished_at", timestamp(rs.getTimestamp(3)));
                    for (int i = 0; i < VARIABLES.size(); i++) {
                        row.put(VARIABLES.get(i), rs.getObject(4 + i));
                    }
                    flush(csv, row, count);
                }, campaignId);
        csv.flush();
        return count[0];
    }

    private static void flush(CSVPrinter csv, Map<String, Object> row, long[] count) {
        if (row.isEmpty()) {
            return;
        }
        try {
            List<Object> record = new ArrayList<>(COLUMNS.size());
            record.add(row.get("row"));
            VARIABLES.forEach(v -> record.add(row.get(v)));
            record.add(row.get("submitted_at"));
            record.add(row.get("finished_at"));
            record.add(row.get("message_id"));
            csv.printRecord(record);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        count[0]++;
        row.clear();
    }

    private static String timestamp(Timestamp t) {
        return t == null ? null : t.toInstant().toString();
    }
}
