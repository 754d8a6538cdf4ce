package dev.kora4j.data;

import dev.kora4j.io.InputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A data set as the command line names it: {@code cifar100:DIR}, {@code tinyimagenet:DIR} or
 * {@code folder:DIR}, and how its splits are found.
 * <ul>
 *   <li>cifar100: train = DIR/train.bin, or the one DIR/train*.bin when there is no train.bin (a sample
 *       such as train_small_50perclass.bin); test = DIR/test.bin; there is no val split.</li>
 *   <li>tinyimagenet: train and val as {@link TinyImageNet} reads them (the seed protocol reads
 *       DIR/train and DIR/val with {@link SeedImageFolder} instead, reproducing its all-0 labels);
 *       test is unlabelled.</li>
 *   <li>folder: DIR/train, DIR/val and DIR/test when DIR has a train/ folder, each read by
 *       {@link ImageFolder} (by {@link SeedImageFolder} under the seed protocol); otherwise DIR itself
 *       is the train split and there are no others.</li>
 *   <li>idx: MNIST-style IDX files, train = DIR/train-*, val and test = DIR/t10k-* ({@link IdxDataset}).</li>
 * </ul>
 */
public record DataSpec(Kind kind, Path dir) {
    public enum Kind {
        CIFAR100,
        TINYIMAGENET,
        FOLDER,
        IDX;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Parses "kind:DIR". */
    public static DataSpec parse(String spec) {
        int colon = spec.indexOf(':');
        if (colon <= 0 || colon == spec.length() - 1) {
            throw new InputException("--data " + spec + ": expected cifar100:DIR, tinyimagenet:DIR, folder:DIR or idx:DIR");
        }
        String kind = spec.substring(0, colon).toLowerCase(Locale.ROOT);
        Path dir = Path.of(spec.substring(colon + 1));
        return switch (kind) {
            case "cifar100" -> new DataSpec(Kind.CIFAR100, dir);
            case "tinyimagenet" -> new DataSpec(Kind.TINYIMAGENET, dir);
            case "folder" -> new DataSpec(Kind.FOLDER, dir);
            case "idx" -> new DataSpec(Kind.IDX, dir);
            default -> throw new InputException("--data " + spec + ": unknown data set kind \"" + kind + "\"; expected cifar100, tinyimagenet, folder or idx");
        };
    }

    /** Opens one split. Labels follow the protocol; run {@link LabelCheck} on the result before training on it. */
    public Dataset open(Split split, Protocol protocol) {
        return switch (kind) {
            case CIFAR100 -> CifarBinary.open(cifarFile(split));
            case TINYIMAGENET -> {
                if (protocol == Protocol.SEED && split != Split.TEST) {
                    yield SeedImageFolder.open(dir.resolve(split.toString()));
                }
                yield TinyImageNet.open(dir, split);
            }
            case FOLDER -> {
                Path splitDir = folderSplit(split);
                yield protocol == Protocol.SEED ? SeedImageFolder.open(splitDir) : ImageFolder.open(splitDir);
            }
            case IDX -> IdxDataset.open(dir, split == Split.TRAIN ? "train" : "t10k");
        };
    }

    /** The labelled split a run is evaluated on: val where the data has one (Tiny ImageNet, folders with val/), else test. */
    public Split evalSplit() {
        return switch (kind) {
            case TINYIMAGENET -> Split.VAL;
            case FOLDER -> Files.isDirectory(dir.resolve("val")) ? Split.VAL : Split.TEST;
            default -> Split.TEST;
        };
    }

    /** The preprocessing preset that belongs with this data under a protocol: timm's, or the seed's for this kind of data. */
    public String preprocessName(Protocol protocol) {
        if (protocol == Protocol.CORRECTED) {
            return Preprocess.TIMM;
        }
        return kind == Kind.CIFAR100 ? Preprocess.SEED_CIFAR : Preprocess.SEED_TINYIMAGENET;
    }

    @Override
    public String toString() {
        return kind + ":" + dir;
    }

    /** A short name for tables: the kind and the folder's name, e.g. "idx:mnist". */
    public String label() {
        Path name = dir.toAbsolutePath().normalize().getFileName();
        return kind + ":" + (name == null ? dir : name);
    }

    private Path cifarFile(Split split) {
        DataFiles.requireFolder(dir, "a CIFAR-100 binary folder with train.bin and test.bin");
        return switch (split) {
            case TEST -> dir.resolve("test.bin");
            case VAL -> throw new InputException(this + ": CIFAR-100 has no val split, only train and test");
            case TRAIN -> {
                Path train = dir.resolve("train.bin");
                if (Files.exists(train)) {
                    yield train;
                }
                List<Path> samples = new ArrayList<>();
                for (Path p : DataFiles.list(dir)) {
                    String name = p.getFileName().toString();
                    if (name.startsWith("train") && name.endsWith(".bin")) {
                        samples.add(p);
                    }
                }
                if (samples.size() != 1) {
                    throw new InputException(train + ": missing" + (samples.isEmpty() ? "" : ", and " + samples.size()
                            + " other train*.bin files are there, so which to use is unclear: " + samples));
                }
                yield samples.get(0);
            }
        };
    }

    private Path folderSplit(Split split) {
        DataFiles.requireFolder(dir, "a folder of class folders, or of train/, val/ and test/ folders of class folders");
        if (Files.isDirectory(dir.resolve("train"))) {
            Path splitDir = dir.resolve(split.toString());
            if (!Files.isDirectory(splitDir)) {
                throw new InputException(splitDir + ": no " + split + " split (" + dir + " has a train/ folder, so its splits are its sub-folders)");
            }
            return splitDir;
        }
        if (split != Split.TRAIN) {
            throw new InputException(dir + ": has no " + split + "/ folder; a folder of class folders is only a train split");
        }
        return dir;
    }
}
