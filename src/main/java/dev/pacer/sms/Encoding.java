package dev.pacer.sms;

/**
 * The two SMS data codings a message can be sent in. Which one applies decides how many
 * characters fit in a segment, and therefore how many billable messages a text costs.
 */
public enum Encoding {
    /** GSM 03.38 default alphabet, 7 bits per septet. */
    GSM7,
    /** UCS-2 (in practice UTF-16), 16 bits per code unit. */
    UCS2
}
