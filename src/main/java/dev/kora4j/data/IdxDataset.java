package dev.kora4j.data;

import dev.kora4j.io.InputException;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Greyscale images in the IDX format of the MNIST files (optionally gzip-compressed): an image file
 * with magic 0x00000803 and dimensions [n, rows, cols] of unsigned bytes, and a label file with magic
 * 0x00000801 and [n]. MNIST, Fashion-MNIST and the demo sets use it. Images load as RGB (the grey
 * value in every channel) in [0, 1].
 */
public final class IdxDataset implements Dataset {
    /** The most values one file may hold: the largest Java array. */
    private static final long MAX_VALUES = Integer.MAX_VALUE - 8;

    private final String name;
    private final int rows, cols;
    private final byte[] pixels;
    private final byte[] labels;
    private final int classes;

    private IdxDataset(String name, int rows, int cols, byte[] pixels, byte[] labels) {
        this.name = name;
        this.rows = rows;
        this.cols = cols;
        this.pixels = pixels;
        this.labels = labels;
        int max = -1;
        for (byte l : labels) {
            max = Math.max(max, l & 0xFF);
        }
        this.classes = max + 1;
    }

    /** Reads PREFIX-images-idx3-ubyte[.gz] and PREFIX-labels-idx1-ubyte[.gz] in dir. */
    public static IdxDataset open(Path dir, String prefix) {
        Path images = find(dir, prefix + "-images-idx3-ubyte");
        Path labelFile = find(dir, prefix + "-labels-idx1-ubyte");
        int[] imageDims = new int[3];
        byte[] pixels = read(images, 0x803, imageDims);
        int[] labelDims = new int[1];
        byte[] labels = read(labelFile, 0x801, labelDims);
        if (imageDims[0] != labelDims[0]) {
            throw new InputException(labelFile + ": " + labelDims[0] + " labels for " + imageDims[0] + " images in " + images.getFileName());
        }
        if (imageDims[0] == 0) {
            throw new InputException(images + ": holds no images");
        }
        if (imageDims[1] == 0 || imageDims[2] == 0) {
            throw new InputException(images + ": its images are " + imageDims[1] + "x" + imageDims[2] + " pixels; an image needs at least one");
        }
        return new IdxDataset(dir.getFileName() + "/" + prefix, imageDims[1], imageDims[2], pixels, labels);
    }

    private static Path find(Path dir, String base) {
        for (String candidate : new String[] {base + ".gz", base}) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new InputException(dir.resolve(base + ".gz") + ": missing (an IDX folder needs " + base + "[.gz])");
    }

    /** The payload of an IDX file of unsigned bytes with the expected magic; its dimensions go to dims. */
    private static byte[] read(Path file, int magic, int[] dims) {
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             DataInputStream data = new DataInputStream(in)) {
            int m = data.readInt();
            if (m != magic) {
                throw new InputException(file + ": magic number 0x" + Integer.toHexString(m) + " at byte 0, expected 0x"
                        + Integer.toHexString(magic) + " (unsigned bytes, " + (magic & 0xFF) + " dimensions)");
            }
            long count = 1;
            for (int i = 0; i < dims.length; i++) {
                dims[i] = data.readInt();
                if (dims[i] < 0) {
                    throw new InputException(file + ": dimension " + i + " is negative");
                }
                count *= dims[i];
                if (count > MAX_VALUES) {
                    throw new InputException(file + ": declares more than " + MAX_VALUES + " values, more than one array can hold");
                }
            }
            // Read what is there rather than allocating what the header declares: a 16-byte file may
            // declare 2^31 values. readNBytes grows its buffer with the data actually read.
            byte[] payload = data.readNBytes((int) count);
            if (payload.length < count) {
                throw new InputException(file + ": truncated: its header declares " + count + " values but only "
                        + payload.length + " follow");
            }
            if (data.read() != -1) {
                throw new InputException(file + ": has bytes after the " + count + " values its header declares");
            }
            return payload;
        } catch (NoSuchFileException e) {
            throw new InputException(file + ": no such file");
        } catch (EOFException e) {
            throw new InputException(file + ": truncated (fewer values than its header declares)");
        } catch (ZipException e) {
            throw new InputException(file + ": not a valid gzip file (its name ends in .gz)");
        } catch (IOException e) {
            throw new InputException(file + ": cannot be read (" + e.getMessage() + ")");
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public int label(int i) {
        return labels[i] & 0xFF;
    }

    @Override
    public int numClasses() {
        return classes;
    }

    @Override
    public String className(int c) {
        return String.valueOf(c);
    }

    @Override
    public Image image(int i) {
        int n = rows * cols;
        float[] rgb = new float[3 * n];
        for (int p = 0; p < n; p++) {
            float v = (pixels[i * n + p] & 0xFF) / 255f;
            rgb[p] = v;
            rgb[n + p] = v;
            rgb[2 * n + p] = v;
        }
        return new Image(rows, cols, rgb);
    }
}
