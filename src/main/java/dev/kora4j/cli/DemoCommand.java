package dev.kora4j.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `kora demo`: the main job on embedded data. Until the research pipeline (ViT fine-tuning and
 * transfer) exists, it is the digits MLP example.
 */
@Command(name = "demo", description = "The main job on the embedded data (for now: the digits MLP example).")
public final class DemoCommand implements Runnable {
    @Option(names = "--threads", description = "Worker threads (default: all cores).") Integer threads;

    @Override
    public void run() {
        ExampleCommand.Mlp mlp = new ExampleCommand.Mlp();
        mlp.threads = threads;
        mlp.run();
    }
}
