package dev.kora4j.data;

import dev.kora4j.io.InputException;
import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The seed notebook's labelling, reproduced on purpose: timm's {@code ImageDataset(root)} (its
 * folder reader, {@code find_images_and_targets} with {@code leaf_name_only=True, sort=True}).
 * <ul>
 *   <li>every file under root, at any depth (symbolic links followed, hidden entries included),
 *       whose extension lower-cases to .png, .jpg or .jpeg (Python's os.path.splitext rule);</li>
 *   <li>its label is the name of its parent folder (the empty string for files directly in root);</li>
 *   <li>classes are the distinct labels in natural order (timm's natural_key); items are the paths in natural order.</li>
 * </ul>
 * On Tiny ImageNet's original layout every image sits in a folder called "images", so every train
 * and val label is 0: the mistake behind the seed's Tiny ImageNet transfer numbers
 * (seed-protocol.md §5.6–5.7). Use it only to reproduce the seed; {@link TinyImageNet} labels correctly.
 */
public final class SeedImageFolder {
    private SeedImageFolder() {}

    public static Dataset open(Path root) {
        DataFiles.requireFolder(root, "an image folder");
        List<String> relPaths = new ArrayList<>();
        List<String> leafLabels = new ArrayList<>();
        try {
            Files.walkFileTree(root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (!attrs.isDirectory() && hasTimmImageExtension(file.getFileName().toString())) {
                        Path parent = root.relativize(file).getParent();
                        relPaths.add(root.relativize(file).toString());
                        leafLabels.add(parent == null ? "" : parent.getFileName().toString());
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    throw e;
                }
            });
        } catch (IOException e) {
            throw DataFiles.error(root, e);
        }
        if (relPaths.isEmpty()) {
            throw new InputException(root + ": no .png/.jpg/.jpeg images in this folder or below it");
        }
        TreeSet<String> classSet = new TreeSet<>(NaturalOrder.INSTANCE);
        classSet.addAll(leafLabels);
        List<String> classes = new ArrayList<>(classSet);
        Map<String, Integer> classIndex = new HashMap<>();
        for (String c : classes) {
            classIndex.put(c, classIndex.size());
        }
        Integer[] order = new Integer[relPaths.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, Comparator.comparing(relPaths::get, NaturalOrder.INSTANCE));
        List<Path> files = new ArrayList<>(order.length);
        int[] labels = new int[order.length];
        for (int j = 0; j < order.length; j++) {
            files.add(root.resolve(relPaths.get(order[j])));
            labels[j] = classIndex.get(leafLabels.get(order[j]));
        }
        return new FileListDataset("seed-imagefolder:" + root, files, labels, classes);
    }

    /** os.path.splitext(name)[1].lower() in ('.png', '.jpg', '.jpeg'); leading dots do not start an extension. */
    static boolean hasTimmImageExtension(String name) {
        int dot = name.lastIndexOf('.');
        if (dot < 0) {
            return false;
        }
        boolean onlyDotsBefore = true;
        for (int i = 0; i < dot; i++) {
            if (name.charAt(i) != '.') {
                onlyDotsBefore = false;
                break;
            }
        }
        if (onlyDotsBefore) {
            return false;
        }
        String ext = name.substring(dot).toLowerCase(Locale.ROOT);
        return ext.equals(".png") || ext.equals(".jpg") || ext.equals(".jpeg");
    }
}
