package dev.pacer.bench;

import dev.pacer.system.PacerApplication;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** What the benchmarks share: {@code pacer} in a fresh JVM, and medians with their spread. */
final class ChildRun {

    private ChildRun() {
    }

    /**
     * Runs {@code pacer ARGS} in a fresh JVM (the same Java, class path or jar) with {@code javaOptions},
     * its output to {@code log}; fails when it takes longer than {@code limit}.
     *
     * @return its exit code
     */
    static int pacer(List<String> javaOptions, List<String> args, Path log, Duration limit) throws IOException, InterruptedException {
        List<String> simulated = new ArrayList<>(args);
        // every run of the benchmarks is against the built-in simulator
        simulated.add("--pacer.simulator.enabled=true");
        Process p = start(javaOptions, simulated, log, Map.of());
        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("pacer " + String.join(" ", args) + " did not end within " + limit + "; see " + log);
        }
        return p.exitValue();
    }

    /** Starts {@code pacer ARGS} in a fresh JVM (the same Java, class path or jar), its output to {@code log}, and returns at once. */
    static Process start(List<String> javaOptions, List<String> args, Path log, Map<String, String> env) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(javaOptions);
        command.add("-Dpacer.home=" + System.getProperty("pacer.home", PacerApplication.home().toString()));
        String classPath = System.getProperty("java.class.path");
        if (classPath.endsWith(".jar") && !classPath.contains(File.pathSeparator)) {
            command.addAll(List.of("-jar", classPath));
        } else {
            command.addAll(List.of("-cp", classPath, PacerBench.class.getName()));
        }
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Distinct valid numbers for benchmark audiences: ten area codes of 10,000 numbers each. */
    static final int MAX_RECIPIENTS = 100_000;
    private static final String[] AREA_CODES = {"202", "303", "312", "415", "617", "718", "305", "206", "512", "702"};

    /** The {@code i}-th benchmark recipient's number, 0 <= i < {@link #MAX_RECIPIENTS}. */
    static String number(int i) {
        return "+1" + AREA_CODES[i / 10_000] + "555" + String.format(Locale.ROOT, "%04d", i % 10_000);
    }

    /** The median and, for more than one value, the range: {@code 1.003 (1.002-1.004)}. */
    static String spread(List<Double> values, String format) {
        List<Double> sorted = values.stream().sorted().toList();
        double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
        String m = String.format(Locale.ROOT, format, median);
        return sorted.size() == 1 ? m : m + " (" + String.format(Locale.ROOT, format, sorted.get(0)) + "-"
                + String.format(Locale.ROOT, format, sorted.get(sorted.size() - 1)) + ")";
    }

    static long size(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A campaign of {@code messages} benchmark recipients through the account {@code bandwidth}, as JSON. */
    static String campaign(String name, int messages) {
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < messages; i++) {
            list.append(i == 0 ? "" : ",").append("{\"to\":\"").append(number(i)).append("\"}");
        }
        return "{\"name\":\"" + name + "\",\"provider\":\"bandwidth\",\"from\":\"+12025550100\",\"text\":\"Hi\",\"recipients\":[" + list + "]}";
    }

    /** A port free on the loopback address now. */
    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
