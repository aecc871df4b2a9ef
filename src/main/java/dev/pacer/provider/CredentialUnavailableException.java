package dev.pacer.provider;

import java.io.IOException;

/**
 * The short-lived credential a request needs (an OAuth token) could not be had, so the request
 * never left: the login server refused the account's client ({@code status} 401 or 403, the
 * account's credentials are wrong) or gave no usable answer ({@code status} 0 or its error status).
 */
public class CredentialUnavailableException extends IOException {

    private final int status;

    public CredentialUnavailableException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The login server's status, 0 when it gave no answer. */
    public int status() {
        return status;
    }
}
