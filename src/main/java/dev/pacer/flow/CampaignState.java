package dev.pacer.flow;

/** Whether a campaign is running, paused or cancelled: its instance's variable {@code state}. */
public enum CampaignState {
    RUNNING, PAUSED, CANCELLED
}
