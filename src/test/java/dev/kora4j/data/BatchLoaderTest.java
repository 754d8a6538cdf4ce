package dev.kora4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.io.InputException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchLoaderTest {
    /** Random crops and flips: the augmentation must come out the same whatever thread decodes an image. */
    private static final Transform AUGMENT = Transforms.randomCrop(3, 3, 1).then(Transforms.horizontalFlip(0.5));

    private static BatchLoader loader(Dataset ds, int workers) {
        return BatchLoader.builder(ds, AUGMENT).batchSize(4).seed(42).workers(workers).prefetch(3).build();
    }

    private static List<Batch> all(BatchLoader loader, int epoch, int from) {
        List<Batch> out = new ArrayList<>();
        try (BatchLoader.Epoch batches = loader.epoch(epoch, from)) {
            for (Batch b : batches) {
                out.add(b);
            }
        }
        return out;
    }

    private static void assertSameBatches(List<Batch> expected, List<Batch> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            Batch e = expected.get(i);
            Batch a = actual.get(i);
            assertEquals(e.index(), a.index());
            assertArrayEquals(e.items(), a.items(), "items of batch " + e.index());
            assertArrayEquals(e.labels(), a.labels(), "labels of batch " + e.index());
            assertArrayEquals(e.images().shape(), a.images().shape());
            assertArrayEquals(e.images().toFloatArray(), a.images().toFloatArray(), "pixels of batch " + e.index());
        }
    }

    @AfterEach
    void noDecodingThreadOutlivesItsLoader() throws InterruptedException {
        for (int tries = 0; tries < 100 && liveDataThreads() > 0; tries++) {
            Thread.sleep(10);
        }
        assertEquals(0, liveDataThreads(), "decoding threads still running after close()");
    }

    private static long liveDataThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith("kora-data-")).count();
    }

    @Test
    void batchesHaveTheRightShapeLabelsAndItems() {
        FakeDataset ds = FakeDataset.cyclic(10, 3, 5);
        try (BatchLoader loader = BatchLoader.builder(ds, Transform.identity()).batchSize(4).shuffle(false).workers(2).build()) {
            assertEquals(3, loader.batchesPerEpoch());
            List<Batch> batches = all(loader, 0, 0);
            assertEquals(3, batches.size());
            assertArrayEquals(new int[] {4, 3, 5, 5}, batches.get(0).images().shape());
            assertArrayEquals(new int[] {2, 3, 5, 5}, batches.get(2).images().shape());
            assertArrayEquals(new int[] {0, 1, 2, 3}, batches.get(0).items());
            assertArrayEquals(new int[] {0, 1, 2, 0}, batches.get(0).labels());
            assertArrayEquals(new int[] {8, 9}, batches.get(2).items());
            // Item 9's pixel (c=2, y=1, x=3) sits at [1, 2, 1, 3] of the last batch.
            assertEquals(9 * 1000 + 200 + 5 + 3, batches.get(2).images().get(1, 2, 1, 3));
        }
    }

    @Test
    void twoRunsGiveIdenticalBatchesWhateverTheThreading() {
        FakeDataset ds = FakeDataset.cyclic(22, 4, 4);
        ds.jitter = true;
        try (BatchLoader one = loader(ds, 3); BatchLoader again = loader(ds, 3); BatchLoader serial = loader(ds, 0)) {
            for (int epoch = 0; epoch < 2; epoch++) {
                List<Batch> a = all(one, epoch, 0);
                assertSameBatches(a, all(again, epoch, 0));
                assertSameBatches(a, all(serial, epoch, 0));
            }
        }
    }

    @Test
    void epochsAreDifferentShufflesOfTheSameItems() {
        FakeDataset ds = FakeDataset.cyclic(30, 3, 4);
        try (BatchLoader loader = loader(ds, 2)) {
            int[] e0 = loader.order(0);
            int[] e1 = loader.order(1);
            assertFalse(Arrays.equals(e0, e1));
            int[] sorted = e0.clone();
            Arrays.sort(sorted);
            assertArrayEquals(Subsets.first(ds, 30), sorted);
            List<Integer> served = new ArrayList<>();
            for (Batch b : all(loader, 1, 0)) {
                Arrays.stream(b.items()).forEach(served::add);
            }
            assertEquals(Arrays.stream(e1).boxed().toList(), served);
        }
    }

    @Test
    void resumingAtBatchBGivesTheSameBatches() {
        FakeDataset ds = FakeDataset.cyclic(26, 5, 4);
        try (BatchLoader loader = loader(ds, 2); BatchLoader fresh = loader(ds, 2)) {
            List<Batch> full = all(loader, 3, 0);
            List<Batch> resumed = all(fresh, 3, 4);
            assertSameBatches(full.subList(4, full.size()), resumed);
            assertEquals(4, resumed.get(0).index());
            assertEquals(3, resumed.get(0).epoch());
        }
    }

    @Test
    void aSubsetOfIndicesAndDropLast() {
        FakeDataset ds = FakeDataset.cyclic(20, 2, 2);
        int[] picked = {19, 3, 7, 11, 5, 2, 8};
        try (BatchLoader loader = BatchLoader.builder(ds, Transform.identity()).indices(picked).batchSize(3).shuffle(false)
                .dropLast(true).workers(1).build()) {
            assertEquals(2, loader.batchesPerEpoch());
            assertEquals(6, loader.itemsPerEpoch());
            List<Batch> batches = all(loader, 0, 0);
            assertArrayEquals(new int[] {19, 3, 7}, batches.get(0).items());
            assertArrayEquals(new int[] {11, 5, 2}, batches.get(1).items());
        }
    }

    @Test
    void prefetchIsBounded() throws InterruptedException {
        FakeDataset ds = FakeDataset.cyclic(200, 2, 2);
        try (BatchLoader loader = BatchLoader.builder(ds, Transform.identity()).batchSize(5).workers(2).prefetch(2).build();
                BatchLoader.Epoch batches = loader.epoch(0)) {
            Thread.sleep(150);
            assertTrue(ds.decoded.get() <= 10, "decoded " + ds.decoded.get() + " images with nothing consumed");
            batches.next();
            Thread.sleep(150);
            assertTrue(ds.decoded.get() <= 15, "decoded " + ds.decoded.get() + " images after one batch");
        }
    }

    @Test
    void aDecodingErrorReachesTheConsumerAsAnInputException() {
        FakeDataset ds = FakeDataset.cyclic(20, 2, 2);
        ds.failAt = 13;
        for (int workers : new int[] {0, 2}) {
            try (BatchLoader loader = BatchLoader.builder(ds, Transform.identity()).batchSize(4).shuffle(false).workers(workers).build();
                    BatchLoader.Epoch batches = loader.epoch(0)) {
                batches.next();
                batches.next();
                batches.next();
                InputException e = assertThrows(InputException.class, batches::next);
                assertTrue(e.getMessage().contains("fake/item13.jpg") && e.getMessage().contains("truncated"), e.getMessage());
            }
        }
    }

    @Test
    void imagesOfDifferentSizesInOneBatchAreRefused() {
        Dataset mixed = new FakeDataset(new int[] {0, 1}, 2, 3) {
            @Override
            public Image image(int i) {
                return Image.blank(3, 3 + i);
            }
        };
        try (BatchLoader loader = BatchLoader.builder(mixed, Transform.identity()).batchSize(2).workers(1).shuffle(false).build();
                BatchLoader.Epoch batches = loader.epoch(0)) {
            InputException e = assertThrows(InputException.class, batches::next);
            assertTrue(e.getMessage().contains("item 1") && e.getMessage().contains("resize or crop"), e.getMessage());
        }
    }

    @Test
    void closingStopsWorkInFlight() {
        FakeDataset ds = FakeDataset.cyclic(400, 2, 2);
        ds.jitter = true;
        BatchLoader loader = BatchLoader.builder(ds, Transform.identity()).batchSize(8).workers(3).prefetch(6).build();
        BatchLoader.Epoch batches = loader.epoch(0);
        batches.next();
        loader.close();
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(IllegalStateException.class, batches::next));
        assertThrows(IllegalStateException.class, () -> loader.epoch(1));
    }
}
