/**
 * Data for training and evaluation: readers, label checks, subsets, preprocessing and a batch loader.
 *
 * <p>A {@link dev.kora4j.data.Dataset} is an indexed set of labelled RGB images whose labels are known
 * without decoding. {@link dev.kora4j.data.DataSpec} opens the splits of {@code cifar100:DIR},
 * {@code tinyimagenet:DIR} and {@code folder:DIR} under a {@link dev.kora4j.data.Protocol}: CORRECTED
 * (the default) labels Tiny ImageNet by wnids.txt and val_annotations.txt; SEED reproduces the seed
 * notebook's timm ImageDataset, which labels every Tiny ImageNet image 0. {@link dev.kora4j.data.LabelCheck}
 * refuses (or, under SEED, warns about) a split with fewer than 2 labels or a head of the wrong size.
 *
 * <pre>{@code
 * Dataset train = DataSpec.parse("cifar100:" + dir).open(Split.TRAIN, Protocol.CORRECTED);
 * LabelCheck.check(train, "CIFAR-100 train", 100, Protocol.CORRECTED);
 * try (BatchLoader loader = BatchLoader.builder(train, Preprocess.timm(224)).batchSize(32).seed(seed).build();
 *      BatchLoader.Epoch batches = loader.epoch(epoch, firstBatch)) {
 *     for (Batch b : batches) step(b.images(), b.labels()); // [B,3,224,224] F32, int[B]
 * }
 * }</pre>
 */
package dev.kora4j.data;
