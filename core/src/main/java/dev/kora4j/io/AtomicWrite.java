package dev.kora4j.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * Writes a file whole or not at all: the content goes to a temporary file in the same folder, is
 * flushed to disk, and is then renamed over the target in one step. Readers never see a partial
 * file, and a failure leaves the target as it was and no temporary file behind.
 */
public final class AtomicWrite {
    private static volatile Consumer<Path> beforeRename = target -> {};

    private AtomicWrite() {}

    /**
     * For crash tests: {@code hook} runs with each target once its content is in the temporary file,
     * before that is synced and renamed, so that a test process can end itself at exactly that point
     * (null removes it).
     */
    public static void beforeRename(Consumer<Path> hook) {
        beforeRename = hook == null ? target -> {} : hook;
    }

    /** Writes the content of a file to an open channel. */
    @FunctionalInterface
    public interface Content {
        void writeTo(FileChannel out) throws IOException;
    }

    /** Writes bytes whole or not at all, creating the folder when it does not exist. */
    public static void write(Path target, byte[] bytes) throws IOException {
        Path folder = target.toAbsolutePath().getParent();
        if (folder != null) {
            Files.createDirectories(folder);
        }
        write(target, channel -> {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        });
    }

    public static void write(Path target, Content content) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path folder = absolute.getParent();
        Path temp = createTemp(folder, absolute.getFileName().toString());
        boolean moved = false;
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                content.writeTo(out);
                beforeRename.accept(absolute);
                out.force(true);
            }
            // Same folder, so the rename stays on one file system and is atomic.
            Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
            syncFolder(folder);
        } finally {
            if (!moved) {
                deleteQuietly(temp);
            }
        }
    }

    /**
     * Deletes the temporary files a process killed in {@link #write} left next to the target (a
     * write in progress in another process would lose its file too: call this only where no other
     * process writes the target).
     */
    public static void deleteLeftovers(Path target) {
        Path absolute = target.toAbsolutePath();
        String prefix = "." + absolute.getFileName() + ".";
        try (var entries = Files.newDirectoryStream(absolute.getParent(), p -> {
            String n = p.getFileName().toString();
            return n.startsWith(prefix) && n.endsWith(".tmp");
        })) {
            for (Path p : entries) {
                deleteQuietly(p);
            }
        } catch (IOException e) {
            // Nothing to clean, or a folder that cannot be listed: leftovers are harmless.
        }
    }

    /**
     * A new, empty temporary file next to the target. Not Files.createTempFile: that makes the file
     * readable by its owner only, and the permissions would carry over to the renamed result.
     */
    private static Path createTemp(Path folder, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path temp = folder.resolve("." + name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try {
                Files.newByteChannel(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return temp;
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 10) {
                    throw e;
                }
            }
        }
    }

    /** Makes the rename itself durable; some platforms cannot open a folder, which is fine. */
    private static void syncFolder(Path folder) {
        try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Best effort only: the file itself is already on disk.
        }
    }

    private static void deleteQuietly(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            // The original failure matters more; a leftover temporary file is harmless.
        }
    }
}
