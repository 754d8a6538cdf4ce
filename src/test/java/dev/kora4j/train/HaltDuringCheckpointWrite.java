package dev.kora4j.train;

import dev.kora4j.cli.Main;
import dev.kora4j.io.AtomicWrite;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A `kora train` process that ends itself as SIGKILL would (Runtime.halt: no shutdown hook, no last
 * save) in the middle of its K-th checkpoint write: the checkpoint's bytes are in the temporary file,
 * which is neither synced nor renamed yet. Usage: {@code HaltDuringCheckpointWrite K train ...}.
 * Exits with 137 when it halted, or with the CLI's status if training ended first.
 */
public final class HaltDuringCheckpointWrite {
    static final int HALTED = 137;

    private HaltDuringCheckpointWrite() {}

    public static void main(String[] args) {
        int k = Integer.parseInt(args[0]);
        AtomicInteger writes = new AtomicInteger();
        AtomicWrite.beforeRename(target -> {
            if (target.getFileName().toString().equals(Checkpoint.FILE) && writes.incrementAndGet() == k) {
                Runtime.getRuntime().halt(HALTED);
            }
        });
        System.exit(Main.execute(Arrays.copyOfRange(args, 1, args.length)));
    }
}
