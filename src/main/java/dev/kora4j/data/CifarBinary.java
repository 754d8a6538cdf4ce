package dev.kora4j.data;

import dev.kora4j.io.InputException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A CIFAR-100 file in the official binary layout: records of 3074 bytes (coarse label, fine label,
 * then 32×32 R, G and B planes, row-major), with no header. Any file of whole records reads
 * (test.bin, train.bin, or a sample of them). Labels are the fine labels (0..99).
 *
 * <p>The file is memory-mapped, not read into the heap: the labels are read once when the file is
 * opened, and each image is decoded from the mapping when asked for.
 */
public final class CifarBinary implements Dataset {
    public static final int CLASSES = 100;
    public static final int COARSE_CLASSES = 20;
    public static final int SIDE = 32;
    public static final int PIXELS = SIDE * SIDE;
    public static final int RECORD_BYTES = 2 + 3 * PIXELS;
    /** The class-name file looked for next to the data file. */
    public static final String FINE_NAMES = "fine_label_names.txt";

    private final Path file;
    private final MemorySegment data;
    private final byte[] labels;
    private final String[] classNames;

    private CifarBinary(Path file, MemorySegment data, byte[] labels, String[] classNames) {
        this.file = file;
        this.data = data;
        this.labels = labels;
        this.classNames = classNames;
    }

    /** Opens one binary file; class names come from fine_label_names.txt in its folder when that file is there. */
    public static CifarBinary open(Path file) {
        long length;
        try {
            length = Files.size(file);
        } catch (IOException e) {
            throw DataFiles.error(file, e);
        }
        if (length == 0) {
            throw new InputException(file + ": empty file (0 bytes); a CIFAR-100 binary file holds records of " + RECORD_BYTES + " bytes");
        }
        long extra = length % RECORD_BYTES;
        if (extra != 0) {
            if (length % (RECORD_BYTES - 1) == 0) {
                throw new InputException(file + ": " + length + " bytes are " + length / (RECORD_BYTES - 1) + " records of "
                        + (RECORD_BYTES - 1) + " bytes, CIFAR-10's layout (one label byte); a CIFAR-100 binary file holds records of "
                        + RECORD_BYTES + " bytes (coarse and fine label)");
            }
            throw new InputException(file + ": not a whole number of CIFAR-100 records: " + extra + " bytes after the last whole record ("
                    + length / RECORD_BYTES + " records of " + RECORD_BYTES + " bytes, file length " + length
                    + "); the file is truncated or its records are not CIFAR-100's");
        }
        if (length / RECORD_BYTES > Integer.MAX_VALUE) {
            throw new InputException(file + ": " + length / RECORD_BYTES + " records are more than one data set can index");
        }
        int n = (int) (length / RECORD_BYTES);
        MemorySegment data = map(file);
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            long offset = (long) i * RECORD_BYTES;
            int coarse = Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, offset));
            int fine = Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, offset + 1));
            if (coarse >= COARSE_CLASSES) {
                throw new InputException(file + ": record " + i + " (byte offset " + offset + "): coarse label " + coarse
                        + " is out of range 0.." + (COARSE_CLASSES - 1) + "; is this a CIFAR-100 binary file?");
            }
            if (fine >= CLASSES) {
                throw new InputException(file + ": record " + i + " (byte offset " + (offset + 1) + "): fine label " + fine
                        + " is out of range 0.." + (CLASSES - 1) + "; is this a CIFAR-100 binary file?");
            }
            labels[i] = (byte) fine;
        }
        Path parent = file.toAbsolutePath().getParent();
        Path namesFile = parent == null ? null : parent.resolve(FINE_NAMES);
        String[] names = namesFile != null && Files.isRegularFile(namesFile) ? readNames(namesFile) : numberedNames();
        return new CifarBinary(file, data, labels, names);
    }

    private static MemorySegment map(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            // An automatic arena: the mapping lives as long as this dataset is reachable (a mapping outlives its channel).
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), Arena.ofAuto());
        } catch (IOException e) {
            throw DataFiles.error(file, e);
        }
    }

    /** One name per line, line i naming fine label i; trailing empty lines are allowed. */
    private static String[] readNames(Path namesFile) {
        List<String> lines = DataFiles.readLines(namesFile);
        int n = lines.size();
        while (n > 0 && lines.get(n - 1).isBlank()) {
            n--;
        }
        if (n != CLASSES) {
            throw new InputException(namesFile + ": expected " + CLASSES + " class names, one per line, found " + n);
        }
        String[] names = new String[CLASSES];
        for (int i = 0; i < CLASSES; i++) {
            names[i] = lines.get(i).strip();
            if (names[i].isEmpty()) {
                throw new InputException(namesFile + " line " + (i + 1) + ": empty class name");
            }
        }
        return names;
    }

    private static String[] numberedNames() {
        String[] names = new String[CLASSES];
        for (int i = 0; i < CLASSES; i++) {
            names[i] = Integer.toString(i);
        }
        return names;
    }

    @Override
    public String name() {
        return file.toString();
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public int label(int i) {
        return labels[i];
    }

    @Override
    public int numClasses() {
        return CLASSES;
    }

    @Override
    public String className(int c) {
        return classNames[c];
    }

    /** The record's pixel bytes are already R, G, B planes, so decoding is one scaled copy. */
    @Override
    public Image image(int i) {
        if (i < 0 || i >= labels.length) {
            throw new IndexOutOfBoundsException("record " + i + " of " + file + ", which has " + labels.length);
        }
        byte[] bytes = new byte[3 * PIXELS];
        MemorySegment.copy(data, ValueLayout.JAVA_BYTE, (long) i * RECORD_BYTES + 2, bytes, 0, bytes.length);
        float[] out = new float[bytes.length];
        for (int k = 0; k < bytes.length; k++) {
            out[k] = Byte.toUnsignedInt(bytes[k]) / 255f;
        }
        return new Image(SIDE, SIDE, out);
    }
}
