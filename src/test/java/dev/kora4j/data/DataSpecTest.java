package dev.kora4j.data;

import static dev.kora4j.data.DataFixtures.cifarFile;
import static dev.kora4j.data.DataFixtures.rejects;
import static dev.kora4j.data.DataFixtures.solidImage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSpecTest {
    @TempDir
    Path dir;

    @Test
    void parsesTheThreeKinds() {
        assertEquals(new DataSpec(DataSpec.Kind.CIFAR100, Path.of("/d/c")), DataSpec.parse("cifar100:/d/c"));
        assertEquals(DataSpec.Kind.TINYIMAGENET, DataSpec.parse("TinyImageNet:x").kind());
        assertEquals(Path.of("a:b"), DataSpec.parse("folder:a:b").dir());
        rejects(() -> DataSpec.parse("imagenet:/d"), "imagenet:/d", "unknown data set kind");
        rejects(() -> DataSpec.parse("/just/a/path"), "expected cifar100:DIR");
        rejects(() -> DataSpec.parse("folder:"), "expected cifar100:DIR");
    }

    @Test
    void cifarSplitsAreItsFiles() {
        cifarFile(dir, "test.bin", 1, 2, 3);
        cifarFile(dir, "train_small_50perclass.bin", 4, 5);
        DataSpec spec = DataSpec.parse("cifar100:" + dir);
        assertEquals(3, spec.open(Split.TEST, Protocol.CORRECTED).size());
        assertEquals(2, spec.open(Split.TRAIN, Protocol.CORRECTED).size(), "a lone train*.bin stands in for train.bin");
        cifarFile(dir, "train.bin", 6);
        assertEquals(1, spec.open(Split.TRAIN, Protocol.SEED).size(), "train.bin wins when present");
        rejects(() -> spec.open(Split.VAL, Protocol.CORRECTED), "no val split");
        assertEquals("timm", spec.preprocessName(Protocol.CORRECTED));
        assertEquals("seed-cifar", spec.preprocessName(Protocol.SEED));
    }

    @Test
    void tinyImageNetUnderEachProtocol() {
        DataFixtures.tinyImageNet(dir, List.of("n02", "n01"), 2, 4);
        DataSpec spec = DataSpec.parse("tinyimagenet:" + dir);
        Dataset train = spec.open(Split.TRAIN, Protocol.CORRECTED);
        assertArrayEquals(new int[] {0, 0, 1, 1}, train.labels());
        assertEquals(Optional.empty(), LabelCheck.check(train, "train", 2, Protocol.CORRECTED));

        for (Split split : List.of(Split.TRAIN, Split.VAL)) {
            Dataset seed = spec.open(split, Protocol.SEED);
            assertEquals(1, seed.numClasses());
            Optional<String> warning = LabelCheck.check(seed, "Tiny ImageNet " + split, 2, Protocol.SEED);
            assertTrue(warning.isPresent() && warning.get().contains("meaningless"), warning.toString());
        }
        assertEquals("seed-tinyimagenet", spec.preprocessName(Protocol.SEED));
    }

    @Test
    void folderSplitsAreSubfoldersWhenThereIsATrainFolder() {
        solidImage(dir.resolve("train/cat/1.png"), "png", 2, 2, 0);
        solidImage(dir.resolve("train/dog/1.png"), "png", 2, 2, 0);
        solidImage(dir.resolve("val/cat/2.png"), "png", 2, 2, 0);
        solidImage(dir.resolve("val/dog/2.png"), "png", 2, 2, 0);
        DataSpec spec = DataSpec.parse("folder:" + dir);
        assertEquals(2, spec.open(Split.VAL, Protocol.CORRECTED).size());
        assertEquals("dog", spec.open(Split.TRAIN, Protocol.CORRECTED).className(1));
        rejects(() -> spec.open(Split.TEST, Protocol.CORRECTED), dir.resolve("test").toString(), "no test split");
    }

    @Test
    void aPlainClassFolderIsOnlyATrainSplit() {
        solidImage(dir.resolve("cat/1.png"), "png", 2, 2, 0);
        solidImage(dir.resolve("dog/1.png"), "png", 2, 2, 0);
        DataSpec spec = DataSpec.parse("folder:" + dir);
        assertEquals(2, spec.open(Split.TRAIN, Protocol.CORRECTED).numClasses());
        rejects(() -> spec.open(Split.VAL, Protocol.CORRECTED), dir.toString(), "no val/ folder");
    }
}
