package dev.kora4j.data;

import static dev.kora4j.data.DataFixtures.rejects;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seed's labelling (timm's ImageDataset), reproduced with its flaw. Files are not decoded, so they need not be images. */
class SeedImageFolderTest {
    @TempDir
    Path dir;

    private void touch(String rel) {
        DataFixtures.write(dir.resolve(rel), new byte[] {1});
    }

    private static List<String> names(Dataset ds) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < ds.size(); i++) {
            out.add(((FileListDataset) ds).file(i).getFileName().toString());
        }
        return out;
    }

    @Test
    void tinyImageNetsOriginalLayoutGivesEveryImageLabelZero() {
        for (String wnid : List.of("n02", "n01")) {
            for (int k = 0; k < 3; k++) {
                touch("train/" + wnid + "/images/" + wnid + "_" + k + ".JPEG");
            }
            touch("train/" + wnid + "/" + wnid + "_boxes.txt");
        }
        touch("val/images/val_0.JPEG");
        touch("val/images/val_1.JPEG");
        touch("val/val_annotations.txt");

        for (String split : List.of("train", "val")) {
            Dataset ds = SeedImageFolder.open(dir.resolve(split));
            assertEquals(1, ds.numClasses(), split);
            assertEquals("images", ds.className(0));
            assertTrue(Arrays.stream(ds.labels()).allMatch(l -> l == 0), split);
        }
        // The notebook's "first 1000 paths" take whole classes in natural path order.
        Dataset train = SeedImageFolder.open(dir.resolve("train"));
        assertEquals(List.of("n01_0.JPEG", "n01_1.JPEG", "n01_2.JPEG", "n02_0.JPEG"), names(train).subList(0, 4));
        assertArrayEquals(new int[] {0, 1, 2, 3}, Subsets.first(train, 4));
    }

    @Test
    void labelsAreLeafFolderNamesInNaturalOrder() {
        touch("class10/a.jpg");
        touch("class2/b.png");
        touch("Class1/c.jpeg");
        touch("group/class2/d.jpg"); // leaf name only: joins class2
        touch("top.jpg"); // directly in the root: the empty label
        Dataset ds = SeedImageFolder.open(dir);
        assertEquals(List.of("", "class1", "class2", "class10"),
                List.of(ds.className(0), ds.className(1).toLowerCase(), ds.className(2), ds.className(3)));
        // Paths in natural order: Class1/c, class2/b, class10/a, group/class2/d, top.
        assertEquals(List.of("c.jpeg", "b.png", "a.jpg", "d.jpg", "top.jpg"), names(ds));
        assertArrayEquals(new int[] {1, 2, 3, 2, 0}, ds.labels());
    }

    @Test
    void extensionsFollowPythonsSplitext() {
        assertTrue(SeedImageFolder.hasTimmImageExtension("x.JPG"));
        assertTrue(SeedImageFolder.hasTimmImageExtension("x.tar.jpeg"));
        assertTrue(SeedImageFolder.hasTimmImageExtension("a.PnG"));
        assertFalse(SeedImageFolder.hasTimmImageExtension(".jpg")); // a leading dot starts no extension
        assertFalse(SeedImageFolder.hasTimmImageExtension("..png"));
        assertTrue(SeedImageFolder.hasTimmImageExtension(".hidden.png"));
        assertFalse(SeedImageFolder.hasTimmImageExtension("x.gif"));
        assertFalse(SeedImageFolder.hasTimmImageExtension("jpg"));
    }

    @Test
    void naturalOrderComparesDigitRunsByValue() {
        List<String> names = new ArrayList<>(List.of("img10.jpg", "img2.jpg", "IMG1.jpg", "img", "img2a", "x", "img0010b", "10", "9"));
        names.sort(NaturalOrder.INSTANCE);
        assertEquals(List.of("9", "10", "img", "IMG1.jpg", "img2.jpg", "img2a", "img10.jpg", "img0010b", "x"), names);
        assertEquals(List.of("a", "1", "b", "22", ""), NaturalOrder.key("A1b22"));
        // Python's key ties "a01" and "a1"; we break the tie by code point so the order never depends on the file system.
        assertTrue(NaturalOrder.INSTANCE.compare("a01", "a1") < 0);
    }

    @Test
    void aFolderWithoutImagesIsRefused() {
        touch("a/readme.txt");
        rejects(() -> SeedImageFolder.open(dir), dir.toString(), "no .png/.jpg/.jpeg images");
    }
}
