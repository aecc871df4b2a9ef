package dev.pacer.provider;

/** A provider account Pacer cannot start with: its message names the property at fault and how to set it. */
public class InvalidAccountException extends IllegalStateException {

    public InvalidAccountException(String message) {
        super(message);
    }
}
