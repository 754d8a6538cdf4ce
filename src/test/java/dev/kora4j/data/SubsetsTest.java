package dev.kora4j.data;

import static dev.kora4j.data.DataFixtures.rejects;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kora4j.tensor.Rng;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SubsetsTest {
    @Test
    void kShotTakesKOfEveryClass() {
        FakeDataset ds = FakeDataset.cyclic(50, 5, 1);
        int[] shots = Subsets.kShot(ds, 3, new Rng(1));
        assertEquals(15, shots.length);
        assertEquals(15, Arrays.stream(shots).distinct().count());
        for (int j = 0; j < shots.length; j++) {
            assertEquals(j / 3, ds.label(shots[j]), "ordered by class");
        }
        assertArrayEquals(new int[] {3, 3, 3, 3, 3}, ds.subset(shots).classCounts());
        assertArrayEquals(shots, Subsets.kShot(ds, 3, new Rng(1)), "same seed, same subset");
        assertFalse(Arrays.equals(shots, Subsets.kShot(ds, 3, new Rng(2))), "another seed, another subset");
    }

    @Test
    void kShotNamesAClassWithTooFewImages() {
        FakeDataset ds = new FakeDataset(new int[] {0, 0, 0, 1, 1, 2, 2, 2}, 3, 1);
        rejects(() -> Subsets.kShot(ds, 3, new Rng(0)), "class 1", "\"class1\"", "has 2 images", "3 per class");
    }

    @Test
    void kShotNamesAClassWithNoImages() {
        FakeDataset ds = new FakeDataset(new int[] {0, 0, 2, 2}, 3, 1);
        rejects(() -> Subsets.kShot(ds, 1, new Rng(0)), "class 1", "has 0 images");
    }

    @Test
    void shufflesAreSeededPermutations() {
        int[] a = Subsets.shuffled(20, new Rng(5));
        assertArrayEquals(a, Subsets.shuffled(20, new Rng(5)));
        int[] sorted = a.clone();
        Arrays.sort(sorted);
        assertArrayEquals(Subsets.first(FakeDataset.cyclic(20, 2, 1), 20), sorted);
        int[] some = {7, 3, 11};
        int[] s = Subsets.shuffled(some, new Rng(5));
        Arrays.sort(s);
        assertArrayEquals(new int[] {3, 7, 11}, s);
    }

    @Test
    void firstNRefusesMoreThanThereAre() {
        FakeDataset ds = FakeDataset.cyclic(5, 2, 1);
        assertArrayEquals(new int[] {0, 1, 2}, Subsets.first(ds, 3));
        rejects(() -> Subsets.first(ds, 6), "first 6", "of 5");
    }

    @Test
    void subsetViewsKeepTheClasses() {
        FakeDataset ds = FakeDataset.cyclic(6, 3, 1);
        Dataset sub = ds.subset(new int[] {5, 0});
        assertEquals(2, sub.size());
        assertEquals(3, sub.numClasses());
        assertArrayEquals(new int[] {2, 0}, sub.labels());
        assertEquals(5000f, sub.image(0).get(0, 0, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> ds.subset(new int[] {6}));
    }
}
