package dev.kora4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kora4j.io.InputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The readers on the real samples in KORA_SHARED_DATA (default ../shared/data from the project
 * root). Skipped where the samples are absent, as in a fresh clone. Decodes only a few images.
 */
public class SharedDataTest {
    public static Path shared() {
        String env = System.getenv("KORA_SHARED_DATA");
        return Path.of(env != null && !env.isBlank() ? env : "../shared/data");
    }

    private static Path cifar() {
        Path dir = shared().resolve("cifar-100-binary");
        assumeTrue(Files.isRegularFile(dir.resolve("test.bin")), "no CIFAR-100 sample at " + dir);
        return dir;
    }

    private static Path tiny() {
        Path dir = shared().resolve("tiny-imagenet-200-subset");
        assumeTrue(Files.isRegularFile(dir.resolve("wnids.txt")), "no Tiny ImageNet sample at " + dir);
        return dir;
    }

    private static int[] filled(int n, int value) {
        int[] a = new int[n];
        Arrays.fill(a, value);
        return a;
    }

    @Test
    void cifarTestHas100OfEachOf100Classes() {
        CifarBinary test = CifarBinary.open(cifar().resolve("test.bin"));
        assertEquals(10_000, test.size());
        assertArrayEquals(filled(100, 100), test.classCounts());
        assertEquals("apple", test.className(0));
        assertEquals("worm", test.className(99));
        Image img = test.image(1234);
        assertEquals(32, img.height());
        for (float v : img.data()) {
            assertTrue(v >= 0f && v <= 1f);
        }
    }

    @Test
    void cifarTrainSampleHas50OfEachClass() {
        DataSpec spec = DataSpec.parse("cifar100:" + cifar());
        Dataset train = spec.open(Split.TRAIN, Protocol.CORRECTED);
        assertTrue(train.name().endsWith("train_small_50perclass.bin") || train.name().endsWith("train.bin"), train.name());
        if (train.name().endsWith("train_small_50perclass.bin")) {
            assertEquals(5_000, train.size());
            assertArrayEquals(filled(100, 50), train.classCounts());
        }
        CifarBinary small = CifarBinary.open(cifar().resolve("train_small_50perclass.bin"));
        assertArrayEquals(filled(100, 50), small.classCounts());
    }

    @Test
    void tinyImageNetTrainHas25OfEachOf200ClassesInWnidsOrder() {
        Path root = tiny();
        Dataset train = TinyImageNet.open(root, Split.TRAIN);
        assertEquals(5_000, train.size());
        assertArrayEquals(filled(200, 25), train.classCounts());
        List<String> wnids = TinyImageNet.wnids(root);
        assertEquals(wnids.get(0), train.className(0));
        assertEquals(train.size(), train.classCounts().length * 25);
        // Spot-check: items of class c live in train/<wnid of line c+1>/.
        for (int i : new int[] {0, 2_499, 4_999}) {
            Path file = ((FileListDataset) train).file(i);
            assertEquals(wnids.get(train.label(i)), file.getParent().getParent().getFileName().toString());
        }
    }

    @Test
    void tinyImageNetValHas50OfEachOf200ClassesFromTheAnnotations() throws Exception {
        Path root = tiny();
        Dataset val = TinyImageNet.open(root, Split.VAL);
        assertEquals(10_000, val.size());
        assertArrayEquals(filled(200, 50), val.classCounts());
        // Independently: the annotation file's own wnid per file name.
        Map<String, String> annotated = new HashMap<>();
        for (String line : Files.readAllLines(root.resolve("val/val_annotations.txt"))) {
            String[] f = line.split("\t");
            annotated.put(f[0], f[1]);
        }
        for (int i : new int[] {0, 1, 777, 9_999}) {
            String file = ((FileListDataset) val).file(i).getFileName().toString();
            assertEquals(annotated.get(file), val.className(val.label(i)), file);
        }
        int grey = 0;
        for (int i = 0; i < 20; i++) { // val_10 among these is a greyscale JPEG; all must come out 64×64 RGB
            Image img = val.image(i);
            assertEquals(64, img.height());
            assertEquals(64, img.width());
            float[] d = img.data();
            int plane = 64 * 64;
            boolean same = true;
            for (int k = 0; k < plane && same; k++) {
                same = d[k] == d[plane + k] && d[k] == d[2 * plane + k];
            }
            grey += same ? 1 : 0;
        }
        assertTrue(grey >= 1, "a greyscale image should come out with three equal planes");
    }

    @Test
    void theSeedReaderLabelsEveryTinyImageNetImage0() {
        Path root = tiny();
        for (String split : List.of("train", "val")) {
            Dataset seed = SeedImageFolder.open(root.resolve(split));
            assertEquals(split.equals("train") ? 5_000 : 10_000, seed.size(), split);
            assertEquals(1, seed.numClasses(), split);
            assertEquals("images", seed.className(0));
            assertArrayEquals(new int[seed.size()], seed.labels(), split);
            assertTrue(LabelCheck.check(seed, "Tiny ImageNet " + split, 200, Protocol.SEED).isPresent());
            assertThrows(InputException.class, () -> LabelCheck.check(seed, "Tiny ImageNet " + split, 200, Protocol.CORRECTED));
        }
    }

    @Test
    void aFewRealBatchesThroughTheTimmPreset() {
        CifarBinary test = CifarBinary.open(cifar().resolve("test.bin"));
        int[] shots = Subsets.kShot(test, 1, new dev.kora4j.tensor.Rng(0));
        try (BatchLoader loader = BatchLoader.builder(test, Preprocess.timm(224)).indices(Arrays.copyOf(shots, 8)).batchSize(4)
                .seed(1).workers(2).build()) {
            int n = 0;
            for (Batch b : loader.epoch(0)) {
                assertArrayEquals(new int[] {4, 3, 224, 224}, b.images().shape());
                n += b.size();
            }
            assertEquals(8, n);
        }
    }
}
