package dev.kora4j.data;

import static dev.kora4j.data.DataFixtures.rejects;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IDX files whose headers declare what their data does not hold. */
class IdxDatasetTest {
    @TempDir
    Path dir;

    private void write(String name, int magic, int[] dims, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + payload.length).putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        DataFixtures.write(dir.resolve(name), b.put(payload).array());
    }

    @Test
    void aSmallSetReads() {
        write("train-images-idx3-ubyte", 0x803, new int[] {2, 1, 2}, new byte[] {0, (byte) 255, 51, 102});
        write("train-labels-idx1-ubyte", 0x801, new int[] {2}, new byte[] {1, 0});
        IdxDataset d = IdxDataset.open(dir, "train");
        assertEquals(2, d.numClasses());
        assertEquals(1f, d.image(0).get(2, 0, 1));
        assertEquals(0.4f, d.image(1).get(0, 0, 1));
    }

    @Test
    void aHugeDeclaredCountIsTruncationNotAnAllocation() {
        // 2e9 declared values in a 16-byte file: formerly a 2 GB array was allocated before reading.
        write("train-images-idx3-ubyte", 0x803, new int[] {2_000_000_000, 1, 1}, new byte[0]);
        write("train-labels-idx1-ubyte", 0x801, new int[] {1}, new byte[] {0});
        rejects(() -> IdxDataset.open(dir, "train"), "train-images-idx3-ubyte", "truncated", "2000000000 values but only 0 follow");
        // exactly 2^31 values overflowed the int size of the array (NegativeArraySizeException)
        write("train-images-idx3-ubyte", 0x803, new int[] {65536, 256, 128}, new byte[0]);
        rejects(() -> IdxDataset.open(dir, "train"), "declares more than 2147483639 values");
    }

    @Test
    void imagesWithoutPixelsAreRefused() {
        write("train-images-idx3-ubyte", 0x803, new int[] {3, 0, 5}, new byte[0]);
        write("train-labels-idx1-ubyte", 0x801, new int[] {3}, new byte[] {0, 1, 2});
        rejects(() -> IdxDataset.open(dir, "train"), "train-images-idx3-ubyte", "its images are 0x5 pixels");
    }

    @Test
    void aFileNamedGzThatIsNotGzipSaysSo() {
        write("train-images-idx3-ubyte.gz", 0x803, new int[] {1, 1, 1}, new byte[] {0});
        write("train-labels-idx1-ubyte", 0x801, new int[] {1}, new byte[] {0});
        rejects(() -> IdxDataset.open(dir, "train"), "train-images-idx3-ubyte.gz", "not a valid gzip file");
    }
}
