package dev.pacer.provider;

/** How a simulator tells the wait on a 429. */
public enum RetryAfterMode { NONE, SECONDS, HTTP_DATE }
