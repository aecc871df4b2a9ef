package dev.pacer.cli;

import dev.pacer.campaign.Audience;
import dev.pacer.campaign.CampaignSpec;
import dev.pacer.campaign.InvalidCampaignException;
import dev.pacer.campaign.Recipient;
import dev.pacer.sms.PhoneNumbers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code pacer validate FILE}: the check a server makes of a campaign before it sends anything,
 * here, without an engine or a server; and the rows that would each end {@code INVALID} while the
 * rest are sent.
 */
@Command(name = "validate", description = "Checks a campaign file as the server does before it sends anything (fields, encoding, "
        + "the recipients' CSV, placeholders, the provider accounts configured here), offline, and lists the rows that would "
        + "end INVALID. Exit 2 when the campaign would be refused.")
class ValidateCommand implements Callable<Integer> {

    /** Rows listed at most; the rest are counted. */
    private static final int SHOWN = 20;

    @Parameters(index = "0", paramLabel = "FILE", description = "the campaign file (JSON)")
    Path file;

    @Unmatched
    List<String> springArgs = new ArrayList<>();

    @Override
    public Integer call() {
        CampaignSpec spec;
        Audience.Scan scan;
        List<String> rows = new ArrayList<>();
        int invalid = 0;
        try {
            CampaignFile given = CampaignFile.read(file);
            spec = given.spec(LocalSettings.load(springArgs).providers(), Instant.now());
            scan = Audience.scan(spec);
            try (Audience audience = Audience.open(spec)) {
                while (audience.hasNext()) {
                    Recipient r = audience.next();
                    if (!scan.firstOccurrence().get(r.row())) {
                        continue; // a duplicate: not sent
                    }
                    String problem = problem(spec, r);
                    if (problem != null && invalid++ < SHOWN) {
                        rows.add("  row " + r.row() + ": " + problem);
                    }
                }
            }
        } catch (InvalidCampaignException e) {
            System.err.println("invalid campaign " + file + ": " + e.getMessage());
            return PacerCommand.INVALID;
        }
        System.out.println("campaign " + spec.name() + " in " + file + " is valid: " + scan.rows() + " recipients (" + scan.duplicates()
                + " duplicates skipped), provider " + spec.provider());
        if (invalid > 0) {
            System.out.println("  " + invalid + (invalid == 1 ? " row ends" : " rows end") + " INVALID (the rest are sent):");
            rows.forEach(System.out::println);
            if (invalid > SHOWN) {
                System.out.println("  and " + (invalid - SHOWN) + " more");
            }
        }
        return 0;
    }

    /** Why a recipient's message would end INVALID, as the campaign's dispatch and prepare steps find it, or null. */
    private static String problem(CampaignSpec spec, Recipient r) {
        String text;
        try {
            text = spec.text().render(r.fields());
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        if (text.isBlank()) {
            return "the text is empty";
        }
        return PhoneNumbers.problem(r.to()).orElse(null);
    }
}
