package dev.pacer.cli;

import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code pacer serve}: the engine kept up, with Camunda's REST API, Cockpit, the audit endpoints and the metrics. */
@Command(name = "serve", description = "Keeps the engine up: Camunda REST at /engine-rest and Cockpit at /camunda.")
class ServeCommand implements Callable<Integer> {

    @Option(names = "--simulator", description = "send to the built-in simulator instead of the providers' base-url "
            + "(pacer.simulator.enabled=true): nothing reaches a recipient")
    boolean simulator;

    @Option(names = "--demo", description = "log in with demo/demo (this machine only) when no PACER_ADMIN_PASSWORD is set")
    boolean demo;

    @Unmatched
    List<String> springArgs = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        List<String> args = new ArrayList<>(Engine.simulator(simulator, springArgs));
        if (demo) {
            args.add("--pacer.demo=true");
        }
        ConfigurableApplicationContext context = Engine.start(true, args);
        Thread.currentThread().join();
        context.close();
        return 0;
    }
}
