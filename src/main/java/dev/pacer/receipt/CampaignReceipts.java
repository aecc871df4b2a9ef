package dev.pacer.receipt;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Each campaign's receipts and, of those, the ones that say the carriers filtered the message as
 * spam ({@code PACER_CAMPAIGN_RECEIPTS}), counted in the database so that every node of a cluster
 * adds to the same share.
 */
public class CampaignReceipts {

    public static final String TABLE = "PACER_CAMPAIGN_RECEIPTS";

    /** A campaign's receipts so far, and of those the filtered ones. */
    public record Counts(long receipts, long filtered) {
    }

    private final JdbcTemplate jdbc;

    public CampaignReceipts(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        jdbc.execute("create table if not exists " + TABLE + " (CAMPAIGN_ID_ varchar(64) not null primary key, RECEIPTS_ bigint not null, "
                + "FILTERED_ bigint not null)");
    }

    /** Counts one receipt of campaign {@code campaignId}, {@code filtered} or not, and says the counts now. */
    public Counts count(String campaignId, boolean filtered) {
        int f = filtered ? 1 : 0;
        if (jdbc.update("update " + TABLE + " set RECEIPTS_ = RECEIPTS_ + 1, FILTERED_ = FILTERED_ + ? where CAMPAIGN_ID_ = ?", f,
                campaignId) == 0) {
            try {
                jdbc.update("insert into " + TABLE + " (CAMPAIGN_ID_, RECEIPTS_, FILTERED_) values (?, 1, ?)", campaignId, f);
            } catch (org.springframework.dao.DuplicateKeyException raced) {
                jdbc.update("update " + TABLE + " set RECEIPTS_ = RECEIPTS_ + 1, FILTERED_ = FILTERED_ + ? where CAMPAIGN_ID_ = ?", f,
                        campaignId);
            }
        }
        return jdbc.queryForObject("select RECEIPTS_, FILTERED_ from " + TABLE + " where CAMPAIGN_ID_ = ?",
                (rs, n) -> new Counts(rs.getLong(1), rs.getLong(2)), campaignId);
    }
}
