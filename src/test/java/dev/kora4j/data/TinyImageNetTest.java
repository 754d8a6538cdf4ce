package dev.kora4j.data;

import static dev.kora4j.data.DataFixtures.rejects;
import static dev.kora4j.data.DataFixtures.tinyImageNet;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TinyImageNetTest {
    /** Deliberately not sorted: the class index is the line number, not the sorted position. */
    static final List<String> WNIDS = List.of("n03", "n01", "n02");

    @TempDir
    Path root;

    @Test
    void trainLabelsComeFromTheWnidFolderInWnidsOrder() {
        tinyImageNet(root, WNIDS, 2, 3);
        Dataset train = TinyImageNet.open(root, Split.TRAIN);
        assertEquals(6, train.size());
        assertEquals(3, train.numClasses());
        assertArrayEquals(new int[] {0, 0, 1, 1, 2, 2}, train.labels());
        assertEquals("n03", train.className(0));
        assertEquals("n01", train.className(1));
        assertEquals(8, train.image(0).width());
    }

    @Test
    void valLabelsComeFromTheAnnotationsInNaturalFileOrder() {
        tinyImageNet(root, WNIDS, 1, 12);
        assertEquals(TinyImageNet.ValLayout.ORIGINAL, TinyImageNet.valLayout(root));
        Dataset val = TinyImageNet.open(root, Split.VAL);
        assertEquals(12, val.size());
        // val_k is annotated with WNIDS[k mod 3]; natural order puts val_10 after val_9.
        assertArrayEquals(new int[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2}, val.labels());
        assertArrayEquals(new int[] {4, 4, 4}, val.classCounts());
    }

    @Test
    void theRestructuredValLayoutIsDetected() throws IOException {
        tinyImageNet(root, WNIDS, 1, 6);
        Path val = root.resolve("val");
        for (int k = 0; k < 6; k++) {
            Path target = val.resolve(WNIDS.get(k % 3)).resolve("val_" + k + ".JPEG");
            Files.createDirectories(target.getParent());
            Files.move(val.resolve("images/val_" + k + ".JPEG"), target);
        }
        assertEquals(TinyImageNet.ValLayout.RESTRUCTURED, TinyImageNet.valLayout(root));
        Dataset ds = TinyImageNet.open(root, Split.VAL);
        assertArrayEquals(new int[] {0, 0, 1, 1, 2, 2}, ds.labels());
    }

    @Test
    void bothValLayoutsAtOnceAreRefused() throws IOException {
        tinyImageNet(root, WNIDS, 1, 6);
        Path moved = root.resolve("val/n01/val_0.JPEG");
        Files.createDirectories(moved.getParent());
        Files.copy(root.resolve("val/images/val_0.JPEG"), moved);
        rejects(() -> TinyImageNet.open(root, Split.VAL), root.resolve("val").toString(), "both");
    }

    @Test
    void aListedWnidWithoutATrainFolderIsRefused() {
        tinyImageNet(root, WNIDS, 1, 3);
        DataFixtures.writeLines(root.resolve("wnids.txt"), List.of("n03", "n01", "n02", "n04"));
        rejects(() -> TinyImageNet.open(root, Split.TRAIN), root.resolve("train/n04").toString(), "wnids.txt line 4");
    }

    @Test
    void aTrainFolderNotInWnidsIsRefused() {
        tinyImageNet(root, WNIDS, 1, 3);
        DataFixtures.writeLines(root.resolve("wnids.txt"), List.of("n03", "n01"));
        rejects(() -> TinyImageNet.open(root, Split.TRAIN), root.resolve("train/n02").toString(), "not listed in wnids.txt");
    }

    @Test
    void anEmptyClassIsRefused() throws IOException {
        tinyImageNet(root, WNIDS, 1, 3);
        Files.delete(root.resolve("train/n01/images/n01_0.JPEG"));
        rejects(() -> TinyImageNet.open(root, Split.TRAIN), root.resolve("train/n01").toString(), "class n01", "no ");
    }

    @Test
    void duplicateWnidsAreRefused() {
        tinyImageNet(root, WNIDS, 1, 3);
        DataFixtures.writeLines(root.resolve("wnids.txt"), List.of("n03", "n01", "n03"));
        rejects(() -> TinyImageNet.open(root, Split.TRAIN), "wnids.txt line 3", "duplicate class id n03", "first on line 1");
    }

    @Test
    void aBlankLineInsideWnidsIsRefused() {
        tinyImageNet(root, WNIDS, 1, 3);
        DataFixtures.writeLines(root.resolve("wnids.txt"), List.of("n03", "", "n01", "n02"));
        rejects(() -> TinyImageNet.open(root, Split.TRAIN), "wnids.txt line 2", "empty line");
    }

    @Test
    void wnidsThatCannotNameAFolderAreRefused() {
        tinyImageNet(root, WNIDS, 1, 3);
        // found by TinyImageNetFuzzTest: a NUL made Path.resolve throw InvalidPathException
        DataFixtures.writeLines(root.resolve("wnids.txt"), List.of("n03", "n0\u00001", "n02"));
        rejects(() -> TinyImageNet.open(root, Split.TRAIN), "wnids.txt line 2", "is not a class id");
        DataFixtures.writeLines(root.resolve("wnids.txt"), List.of("n03", "..", "n02"));
        rejects(() -> TinyImageNet.open(root, Split.TRAIN), "wnids.txt line 2", "\"..\" is not a class id");
    }

    @Test
    void anAnnotationNamingAFileNoPathCanHoldIsRefused() {
        tinyImageNet(root, WNIDS, 1, 3);
        DataFixtures.writeText(root.resolve("val/val_annotations.txt"), "val_\u00000.JPEG\tn03\t0\t0\t1\t1\n");
        rejects(() -> TinyImageNet.open(root, Split.VAL), "val_annotations.txt line 1", "does not exist");
    }

    @Test
    void anAnnotationWithAnUnknownWnidNamesTheLine() {
        tinyImageNet(root, WNIDS, 1, 3);
        DataFixtures.writeText(root.resolve("val/val_annotations.txt"),
                "val_0.JPEG\tn03\t0\t0\t1\t1\nval_1.JPEG\tn99\t0\t0\t1\t1\nval_2.JPEG\tn02\t0\t0\t1\t1\n");
        rejects(() -> TinyImageNet.open(root, Split.VAL), "val_annotations.txt line 2", "n99", "not listed in wnids.txt");
    }

    @Test
    void anAnnotationOfAMissingFileNamesTheLineAndFile() {
        tinyImageNet(root, WNIDS, 1, 3);
        DataFixtures.writeText(root.resolve("val/val_annotations.txt"),
                "val_0.JPEG\tn03\t0\t0\t1\t1\nval_1.JPEG\tn01\t0\t0\t1\t1\nval_2.JPEG\tn02\t0\t0\t1\t1\nval_7.JPEG\tn02\t0\t0\t1\t1\n");
        rejects(() -> TinyImageNet.open(root, Split.VAL), "val_annotations.txt line 4", "val_7.JPEG", "does not exist");
    }

    @Test
    void aMalformedAnnotationNamesTheLine() {
        tinyImageNet(root, WNIDS, 1, 3);
        DataFixtures.writeText(root.resolve("val/val_annotations.txt"),
                "val_0.JPEG\tn03\t0\t0\t1\t1\nval_1.JPEG n01 0 0 1 1\nval_2.JPEG\tn02\t0\t0\t1\t1\n");
        rejects(() -> TinyImageNet.open(root, Split.VAL), "val_annotations.txt line 2", "malformed");
    }

    @Test
    void aDuplicateAnnotationIsRefused() {
        tinyImageNet(root, WNIDS, 1, 3);
        DataFixtures.writeText(root.resolve("val/val_annotations.txt"),
                "val_0.JPEG\tn03\t0\t0\t1\t1\nval_1.JPEG\tn01\t0\t0\t1\t1\nval_2.JPEG\tn02\t0\t0\t1\t1\nval_0.JPEG\tn01\t0\t0\t1\t1\n");
        rejects(() -> TinyImageNet.open(root, Split.VAL), "val_annotations.txt line 4", "val_0.JPEG", "first on line 1");
    }

    @Test
    void aValImageWithoutAnnotationIsNamed() {
        tinyImageNet(root, WNIDS, 1, 4);
        DataFixtures.writeText(root.resolve("val/val_annotations.txt"),
                "val_0.JPEG\tn03\t0\t0\t1\t1\nval_1.JPEG\tn01\t0\t0\t1\t1\nval_2.JPEG\tn02\t0\t0\t1\t1\n");
        rejects(() -> TinyImageNet.open(root, Split.VAL), root.resolve("val/images/val_3.JPEG").toString(), "no line of");
    }

    @Test
    void aClassWithNoValImagesIsRefused() {
        tinyImageNet(root, WNIDS, 1, 2);
        rejects(() -> TinyImageNet.open(root, Split.VAL), "class n02", "no val images");
    }

    @Test
    void theTestSplitHasNoLabels() {
        tinyImageNet(root, WNIDS, 1, 3);
        rejects(() -> TinyImageNet.open(root, Split.TEST), "no labels");
    }

    @Test
    void aMissingWnidsFileIsNamed() {
        rejects(() -> TinyImageNet.open(root, Split.TRAIN), root.resolve("wnids.txt").toString(), "missing");
    }
}
