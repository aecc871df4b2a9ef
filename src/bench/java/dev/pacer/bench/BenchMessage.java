package dev.pacer.bench;

import dev.pacer.throttle.Pacer;

/** One message of the benchmark campaign: the same texts Pacer sends in the same run. */
public record BenchMessage(String key, String to, String text, int segments) {
}
