package dev.pacer.campaign;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * Streams a campaign's recipients, inline or from CSV, one row at a time, so that a large audience
 * is never held in memory.
 */
public final class Audience implements Iterator<Recipient>, AutoCloseable {

    private final Iterator<Recipient> rows;
    private final AutoCloseable resource;
    /** Character position of the last row returned (CSV), to open at again. */
    private final long[] position;

    private Audience(Iterator<Recipient> rows, AutoCloseable resource, long[] position) {
        this.rows = rows;
        this.resource = resource;
        this.position = position;
    }

    public static Audience open(CampaignSpec spec) {
        return open(spec, 0, 0);
    }

    /**
     * Opens the audience after row {@code cursor}, whose CSV record starts at character
     * {@code position} (from an earlier {@link #position()}): a campaign dispatched in batches
     * reads its file once in all, not once per batch.
     */
    public static Audience open(CampaignSpec spec, long position, int cursor) {
        if (spec.recipients() != null) {
            Iterator<JsonNode> nodes = spec.recipients().elements();
            for (int i = 0; i < cursor && nodes.hasNext(); i++) {
                nodes.next();
            }
            int[] row = {cursor};
            return new Audience(new Iterator<>() {
                public boolean hasNext() {
                    return nodes.hasNext();
                }

                public Recipient next() {
                    JsonNode node = nodes.next();
                    row[0]++;
                    Map<String, String> fields = new LinkedHashMap<>();
                    if (node.isObject()) {
                        node.fields().forEachRemaining(e -> fields.put(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
                    }
                    return new Recipient(row[0], fields);
                }
            }, () -> { }, new long[1]);
        }
        try {
            CSVFormat.Builder format = CSVFormat.DEFAULT.builder().setIgnoreSurroundingSpaces(true).setIgnoreEmptyLines(true);
            CSVParser parser = format.setHeader().setSkipHeaderRecord(true).get()
                    .parse(TextFiles.open(spec.recipientsFile()));
            if (!parser.getHeaderMap().containsKey("to")) {
                parser.close();
                throw new InvalidCampaignException("recipientsFile: the CSV header has no 'to' column (found: "
                        + String.join(", ", parser.getHeaderNames()) + ")");
            }
            if (cursor > 0) {
                // Start again at the last row read (row `cursor`), with the header known, and skip it.
                String[] header = parser.getHeaderNames().toArray(String[]::new);
                parser.close();
                Reader reader = TextFiles.open(spec.recipientsFile());
                reader.skip(position);
                parser = CSVParser.builder().setReader(reader).setFormat(format.setHeader(header).setSkipHeaderRecord(false).get())
                        .setCharacterOffset(position).setRecordNumber(cursor - 1).get();
            }
            Iterator<CSVRecord> records = parser.iterator();
            if (cursor > 0 && records.hasNext()) {
                records.next();
            }
            int[] row = {cursor};
            long[] at = {position};
            return new Audience(new Iterator<>() {
                public boolean hasNext() {
                    return records.hasNext();
                }

                public Recipient next() {
                    CSVRecord record = records.next();
                    at[0] = record.getCharacterPosition();
                    row[0]++;
                    Map<String, String> fields = new HashMap<>();
                    record.toMap().forEach((k, v) -> {
                        if (v != null && !v.isEmpty()) {
                            fields.put(k, v);
                        }
                    });
                    return new Recipient(row[0], fields);
                }
            }, parser, at);
        } catch (IOException | UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
            // commons-csv says what is wrong with a header (a name missing or given twice) this way
            throw unreadable(spec, e);
        }
    }

    private static InvalidCampaignException unreadable(CampaignSpec spec, Exception e) {
        if (TextFiles.isNotUtf8(e)) {
            InvalidCampaignException refused = TextFiles.notUtf8(spec.recipientsFile());
            return new InvalidCampaignException("recipientsFile: " + refused.getMessage(), e);
        }
        return new InvalidCampaignException("recipientsFile: cannot read " + spec.recipientsFile() + ": " + e.getMessage(), e);
    }

    /**
     * Reads the whole audience once: counts it, marks the first occurrence of every number (later
     * ones are duplicates and not sent), and refuses the campaign when a placeholder has a value for
     * no recipient at all.
     */
    public static Scan scan(CampaignSpec spec) {
        Set<String> placeholders = spec.text().required();
        Set<String> covered = new HashSet<>();
        Set<String> seen = new HashSet<>();
        BitSet first = new BitSet();
        int total = 0;
        try (Audience audience = open(spec)) {
            while (audience.hasNext()) {
                Recipient r = audience.next();
                total = r.row();
                String to = r.to();
                if (to == null || seen.add(to)) {
                    first.set(r.row());
                }
                for (String p : placeholders) {
                    String v = r.fields().get(p);
                    if (v != null && !v.isBlank()) {
                        covered.add(p);
                    }
                }
            }
        } catch (UncheckedIOException | IllegalStateException | IllegalArgumentException e) {
            throw unreadable(spec, e);
        }
        if (total == 0) {
            throw new InvalidCampaignException("the campaign has no recipients");
        }
        for (String p : placeholders) {
            if (!covered.contains(p)) {
                throw new InvalidCampaignException("text: placeholder {{" + p + "}} has a value for no recipient");
            }
        }
        return new Scan(total, first);
    }

    /** What a scan found: rows in all, and which rows are the first of their number. */
    public record Scan(int rows, BitSet firstOccurrence) {
        public int duplicates() {
            return rows - firstOccurrence.cardinality();
        }
    }

    /** Where the last row returned starts in the CSV file (characters), for {@link #open(CampaignSpec, long, int)}. */
    public long position() {
        return position[0];
    }

    @Override
    public boolean hasNext() {
        return rows.hasNext();
    }

    @Override
    public Recipient next() {
        if (!rows.hasNext()) {
            throw new NoSuchElementException();
        }
        return rows.next();
    }

    @Override
    public void close() {
        try {
            resource.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot close the audience", e);
        }
    }
}
