package dev.kora4j.data;

import java.nio.file.Path;
import java.util.List;

/** A dataset of image files with labels fixed when it is built; the readers of folder layouts return one. */
final class FileListDataset implements Dataset {
    private final String name;
    private final Path[] files;
    private final int[] labels;
    private final String[] classNames;

    FileListDataset(String name, List<Path> files, int[] labels, List<String> classNames) {
        if (files.size() != labels.length) {
            throw new IllegalArgumentException(files.size() + " files but " + labels.length + " labels");
        }
        this.name = name;
        this.files = files.toArray(Path[]::new);
        this.labels = labels.clone();
        this.classNames = classNames.toArray(String[]::new);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int size() {
        return files.length;
    }

    @Override
    public int label(int i) {
        return labels[i];
    }

    @Override
    public int numClasses() {
        return classNames.length;
    }

    @Override
    public String className(int c) {
        return classNames[c];
    }

    @Override
    public Image image(int i) {
        return ImageDecoder.decode(files[i]);
    }

    /** The file of item i. */
    Path file(int i) {
        return files[i];
    }
}
