package dev.kora4j.data;

import static dev.kora4j.data.DataFixtures.cifarFile;
import static dev.kora4j.data.DataFixtures.rejects;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarBinaryTest {
    @TempDir
    Path dir;

    @Test
    void readsLabelsAndPixelPlanes() {
        byte[] rec0 = DataFixtures.cifarRecord(3, 17, 0, 0, 0);
        // Row 1, column 2 of each plane: R at 2 + 34, G at 2 + 1024 + 34, B at 2 + 2048 + 34.
        rec0[2 + 34] = (byte) 255;
        rec0[2 + 1024 + 34] = (byte) 51;
        rec0[2 + 2048 + 34] = (byte) 102;
        byte[] rec1 = DataFixtures.cifarRecord(19, 99, 1, 2, 3);
        byte[] all = new byte[2 * CifarBinary.RECORD_BYTES];
        System.arraycopy(rec0, 0, all, 0, rec0.length);
        System.arraycopy(rec1, 0, all, rec0.length, rec1.length);
        Path file = DataFixtures.write(dir.resolve("test.bin"), all);

        CifarBinary ds = CifarBinary.open(file);
        assertEquals(2, ds.size());
        assertEquals(100, ds.numClasses());
        assertArrayEquals(new int[] {17, 99}, ds.labels());
        assertEquals("17", ds.className(17)); // no names file: numbers

        Image img = ds.image(0);
        assertEquals(32, img.height());
        assertEquals(32, img.width());
        assertEquals(1f, img.get(0, 1, 2));
        assertEquals(51 / 255f, img.get(1, 1, 2));
        assertEquals(102 / 255f, img.get(2, 1, 2));
        assertEquals(0f, img.get(0, 1, 1));
        Image img1 = ds.image(1);
        assertEquals(1 / 255f, img1.get(0, 31, 31));
        assertEquals(2 / 255f, img1.get(1, 0, 0));
        assertEquals(3 / 255f, img1.get(2, 5, 7));
    }

    @Test
    void classNamesFromTheFileNextToTheData() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            names.add("name" + i);
        }
        DataFixtures.writeLines(dir.resolve("fine_label_names.txt"), names);
        CifarBinary ds = CifarBinary.open(cifarFile(dir, "train.bin", 4, 0));
        assertEquals("name4", ds.className(4));
        assertEquals("name99", ds.className(99));
    }

    @Test
    void aNamesFileWithTheWrongCountIsRefused() {
        Path names = DataFixtures.writeLines(dir.resolve("fine_label_names.txt"), List.of("apple", "aquarium_fish"));
        Path file = cifarFile(dir, "test.bin", 1);
        rejects(() -> CifarBinary.open(file), names.toString(), "expected 100 class names", "found 2");
    }

    @Test
    void aFileWithAPartialRecordIsTruncated() {
        byte[] bytes = new byte[2 * CifarBinary.RECORD_BYTES + 5];
        Path file = DataFixtures.write(dir.resolve("test.bin"), bytes);
        rejects(() -> CifarBinary.open(file), file.toString(), "5 bytes after the last whole record", "truncated");
    }

    @Test
    void aFineLabelOver99NamesTheRecordAndOffset() {
        byte[] bytes = new byte[3 * CifarBinary.RECORD_BYTES];
        bytes[CifarBinary.RECORD_BYTES + 1] = 100;
        Path file = DataFixtures.write(dir.resolve("train.bin"), bytes);
        rejects(() -> CifarBinary.open(file), file.toString(), "record 1", "byte offset 3075", "fine label 100");
    }

    @Test
    void aCoarseLabelOver19IsRefused() {
        byte[] bytes = new byte[2 * CifarBinary.RECORD_BYTES];
        bytes[CifarBinary.RECORD_BYTES] = (byte) 200;
        Path file = DataFixtures.write(dir.resolve("train.bin"), bytes);
        rejects(() -> CifarBinary.open(file), file.toString(), "record 1", "byte offset 3074", "coarse label 200");
    }

    @Test
    void anEmptyFileIsRefused() {
        Path file = DataFixtures.write(dir.resolve("test.bin"), new byte[0]);
        rejects(() -> CifarBinary.open(file), file.toString(), "empty file");
    }

    @Test
    void aMissingFileIsNamed() {
        Path file = dir.resolve("nope.bin");
        rejects(() -> CifarBinary.open(file), file.toString(), "no such file");
    }
}
