package dev.pacer.campaign;

/** A campaign that is refused whole; the message names the field at fault. */
public class InvalidCampaignException extends RuntimeException {

    public InvalidCampaignException(String message) {
        super(message);
    }

    public InvalidCampaignException(String message, Throwable cause) {
        super(message, cause);
    }
}
