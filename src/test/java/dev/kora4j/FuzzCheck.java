package dev.kora4j;

import dev.kora4j.io.InputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The property every fuzz test checks of a parser: bad input ends in an {@link InputException} (any
 * other exception or error escapes and is the fuzzer's finding), and the parse allocates no more heap
 * than its input can justify (a fixed allowance plus a multiple of the input's length), so that a
 * file declaring a huge size is refused before anything of that size is allocated.
 *
 * <p>Loading (and the fuzzer's instrumenting) of classes allocates tens of MB on the loading thread,
 * which the allocation counter cannot tell apart; a parse during which classes were loaded gets
 * {@link #CLASS_LOADING_ALLOWANCE} more: the most a replay of the seeds and a 20 s fuzzing run of
 * every parser needed was 80 MB over the budget (the first image decode, which loads the image
 * readers), so 96 MiB. Declared sizes that are acted on cost GBs, far beyond it, and a fuzzing run
 * repeats every path many times after its classes are loaded.
 */
public final class FuzzCheck {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static final java.lang.management.ClassLoadingMXBean CLASSES = ManagementFactory.getClassLoadingMXBean();
    static final long CLASS_LOADING_ALLOWANCE = 96L << 20;

    private FuzzCheck() {}

    /** A parse that may throw anything; checked exceptions are findings too. */
    @FunctionalInterface
    public interface Parse {
        void run() throws Exception;
    }

    /**
     * Runs a parse on an input of {@code inputBytes} bytes: returns normally when it accepts or
     * refuses the input with an InputException and stays within {@code fixedBytes + perInputByte ×
     * inputBytes} of heap allocated on this thread; throws otherwise.
     */
    public static void check(long inputBytes, long fixedBytes, long perInputByte, Parse parse) throws Exception {
        long classesBefore = CLASSES.getTotalLoadedClassCount();
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            parse.run();
        } catch (InputException refused) {
            if (refused.getMessage() == null || refused.getMessage().isBlank()) {
                throw new AssertionError("an InputException without a message", refused);
            }
        }
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        long budget = fixedBytes + perInputByte * inputBytes
                + (CLASSES.getTotalLoadedClassCount() != classesBefore ? CLASS_LOADING_ALLOWANCE : 0);
        if (allocated > budget) {
            throw new AssertionError("the parse allocated " + allocated + " bytes for an input of " + inputBytes
                    + " bytes (budget " + budget + ")");
        }
    }

    /** An empty scratch folder for one fuzz input (created, or emptied when it exists). */
    public static Path scratch(Path dir) {
        try {
            if (Files.exists(dir)) {
                Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                        Files.delete(file);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                        if (!d.equals(dir)) {
                            Files.delete(d);
                        }
                        return FileVisitResult.CONTINUE;
                    }
                });
            }
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
