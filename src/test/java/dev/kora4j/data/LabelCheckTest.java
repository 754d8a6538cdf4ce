package dev.kora4j.data;

import static dev.kora4j.data.DataFixtures.rejects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class LabelCheckTest {
    /** What the seed's reader gives on Tiny ImageNet: one class, "images", every label 0. */
    private static final FakeDataset ALL_ZERO = new FakeDataset(new int[] {0, 0, 0, 0}, 1, 1);

    @Test
    void aSoundSplitPasses() {
        assertEquals(Optional.empty(), LabelCheck.check(FakeDataset.cyclic(10, 5, 1), "train", 5, Protocol.CORRECTED));
        assertEquals(Optional.empty(), LabelCheck.check(FakeDataset.cyclic(10, 5, 1), "train", 5, Protocol.SEED));
    }

    @Test
    void aSingleLabelSplitIsAnErrorUnderTheCorrectedProtocol() {
        rejects(() -> LabelCheck.check(ALL_ZERO, "Tiny ImageNet train", 1, Protocol.CORRECTED),
                "Tiny ImageNet train", "fake", "all 4 labels are 0", "at least 2 distinct labels",
                "seed's Tiny ImageNet transfer numbers meaningless");
    }

    @Test
    void aSingleLabelSplitIsAWarningUnderTheSeedProtocol() {
        Optional<String> warning = LabelCheck.check(ALL_ZERO, "Tiny ImageNet val", 200, Protocol.SEED);
        assertTrue(warning.isPresent());
        String w = warning.get();
        assertTrue(w.contains("all 4 labels are 0") && w.contains("meaningless"), w);
        assertTrue(w.contains("1 class but the classifier head has 200 outputs"), w);
    }

    @Test
    void aSingleLabelSubsetOfAManyClassSetIsCaughtToo() {
        // The notebook's first-N subset of a correctly labelled set can still hold one class.
        FakeDataset ds = new FakeDataset(new int[] {0, 0, 0, 1, 2}, 3, 1);
        rejects(() -> LabelCheck.check(ds.subset(new int[] {0, 1, 2}), "transfer train", 3, Protocol.CORRECTED), "all 3 labels are 0");
    }

    @Test
    void aHeadOfTheWrongSizeIsAnError() {
        rejects(() -> LabelCheck.check(FakeDataset.cyclic(10, 5, 1), "val", 100, Protocol.CORRECTED),
                "val", "5 classes but the classifier head has 100 outputs");
    }
}
