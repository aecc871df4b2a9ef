package dev.pacer.campaign;

/**
 * A campaign refused because one of the same name runs: a conflict with that instance, not a fault
 * of the campaign itself (the REST API answers 409 naming it).
 */
public class CampaignRunningException extends InvalidCampaignException {

    private final String campaign;
    private final String runningInstanceId;

    public CampaignRunningException(String campaign, String runningInstanceId) {
        super("a campaign named '" + campaign + "' is running (instance " + runningInstanceId
                + "): wait for it, cancel it, or give this one another name");
        this.campaign = campaign;
        this.runningInstanceId = runningInstanceId;
    }

    public String campaign() {
        return campaign;
    }

    public String runningInstanceId() {
        return runningInstanceId;
    }
}
