package dev.pacer.bench;

/** One message of the benchmark campaign: the same texts Pacer sends in the same run. */
public record BenchMessage(String key, String to, String text, int segments) {
}
