package dev.kora4j.train;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar with throughput and ETA on stderr for every long loop (off with -Dkora.progress=false,
 * as the tests run). stdout stays for results.
 */
public final class Progress implements AutoCloseable {
    private static final boolean ENABLED = !"false".equals(System.getProperty("kora.progress"));
    private final ProgressBar bar;

    private Progress(ProgressBar bar) {
        this.bar = bar;
    }

    /** A bar over {@code total} units (e.g. images), named {@code task}. */
    public static Progress open(String task, long total, String unit) {
        if (!ENABLED) {
            return new Progress(null);
        }
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .setUnit(" " + unit, 1)
                .showSpeed()
                .setUpdateIntervalMillis(500)
                .build();
        return new Progress(bar);
    }

    public void advance(long units) {
        if (bar != null) {
            bar.stepBy(units);
        }
    }

    public void message(String text) {
        if (bar != null) {
            bar.setExtraMessage(" " + text);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
