package dev.kora4j.train;

import java.io.PrintStream;
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
    private final LineEndingConsumer consumer;

    private Progress(ProgressBar bar, LineEndingConsumer consumer) {
        this.bar = bar;
        this.consumer = consumer;
    }

    /**
     * The console consumer, remembering whether it ended the bar's line. The library skips that when
     * a bar is closed before its first scheduled refresh (a loop that fails at once), which left the
     * next stderr line, such as an error, glued to the bar.
     */
    private static final class LineEndingConsumer extends ConsoleProgressBarConsumer {
        private volatile boolean lineEnded;

        LineEndingConsumer(PrintStream out) {
            super(out);
        }

        @Override
        public void close() {
            lineEnded = true;
            super.close();
        }
    }

    /** A bar over {@code total} units (e.g. images), named {@code task}. */
    public static Progress open(String task, long total, String unit) {
        if (!ENABLED) {
            return new Progress(null, null);
        }
        LineEndingConsumer consumer = new LineEndingConsumer(System.err);
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setConsumer(consumer)
                .setUnit(" " + unit, 1)
                .showSpeed()
                .setUpdateIntervalMillis(500)
                .build();
        return new Progress(bar, consumer);
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
            bar.close(); // returns once the library's last refresh has run
            if (!consumer.lineEnded) {
                consumer.close();
            }
        }
    }
}
