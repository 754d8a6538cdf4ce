package dev.kora4j.data;

import dev.kora4j.io.InputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A class-per-folder image set ({@code folder:DIR}): every sub-folder of DIR is a class, named by
 * the sub-folder, classes in name order (code point order, as torchvision's ImageFolder sorts);
 * a class holds every .jpg/.jpeg/.png file (any case) in its folder or below it. Hidden entries
 * (names starting with '.') are skipped, so stray ".ipynb_checkpoints" folders do not become classes.
 * Items are ordered by class, then by path in natural order.
 */
public final class ImageFolder {
    private ImageFolder() {}

    public static Dataset open(Path dir) {
        DataFiles.requireFolder(dir, "a folder with one sub-folder per class");
        List<Path> classDirs = DataFiles.subfolders(dir);
        if (classDirs.isEmpty()) {
            throw new InputException(dir + ": no class folders (expected one sub-folder per class, each holding .jpg/.jpeg/.png images)");
        }
        classDirs.sort(Comparator.comparing(p -> p.getFileName().toString(), NaturalOrder::compareCodePointsOf));
        List<String> classes = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (Path classDir : classDirs) {
            List<Path> images = DataFiles.imagesBelow(classDir);
            if (images.isEmpty()) {
                throw new InputException(classDir + ": class \"" + classDir.getFileName() + "\" has no .jpg/.jpeg/.png images");
            }
            images.sort(Comparator.comparing(p -> classDir.relativize(p).toString(), NaturalOrder.INSTANCE));
            int label = classes.size();
            classes.add(classDir.getFileName().toString());
            for (Path p : images) {
                files.add(p);
                labels.add(label);
            }
        }
        return new FileListDataset("folder:" + dir, files, labels.stream().mapToInt(Integer::intValue).toArray(), classes);
    }
}
