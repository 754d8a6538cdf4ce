package dev.kora4j.data;

import dev.kora4j.io.InputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Tiny ImageNet (tiny-imagenet-200), labelled correctly: class c is line c+1 of wnids.txt (not the
 * sorted wnids, which differ because wnids.txt is not sorted); a train image's class is its
 * {@code train/<wnid>/} folder; a val image's class comes from val/val_annotations.txt in the
 * original layout ({@code val/images/*.JPEG}) or from its folder in the restructured layout
 * ({@code val/<wnid>/*.JPEG}); the layout is detected. Train images are read from
 * {@code train/<wnid>/images/}, or from {@code train/<wnid>/} itself when there is no images folder.
 * Items are ordered by class, then by file name in natural order (val: by file name).
 * The test split is unlabelled and cannot be opened.
 */
public final class TinyImageNet {
    /** Where the val labels live. */
    public enum ValLayout {
        /** val/images/*.JPEG with val/val_annotations.txt, as downloaded. */
        ORIGINAL,
        /** val/&lt;wnid&gt;/*.JPEG, as the seed notebook's restructuring code leaves it. */
        RESTRUCTURED
    }

    static final String WNIDS = "wnids.txt";
    static final String ANNOTATIONS = "val_annotations.txt";

    private TinyImageNet() {}

    public static Dataset open(Path root, Split split) {
        DataFiles.requireFolder(root, "a Tiny ImageNet folder with wnids.txt, train/ and val/");
        List<String> wnids = wnids(root);
        return switch (split) {
            case TRAIN -> train(root, wnids);
            case VAL -> valLayout(root, wnids) == ValLayout.ORIGINAL ? valOriginal(root, wnids) : valRestructured(root, wnids);
            case TEST -> throw new InputException(root.resolve("test") + ": Tiny ImageNet's test split has no labels; evaluate on val");
        };
    }

    /** The class order: wnids.txt, one id per line, index = line number − 1. */
    public static List<String> wnids(Path root) {
        Path file = root.resolve(WNIDS);
        if (!Files.isRegularFile(file)) {
            throw new InputException(file + ": missing; Tiny ImageNet's class order comes from this file");
        }
        List<String> lines = DataFiles.readLines(file);
        int n = lines.size();
        while (n > 0 && lines.get(n - 1).isBlank()) {
            n--;
        }
        if (n == 0) {
            throw new InputException(file + ": no class ids");
        }
        Map<String, Integer> seen = new HashMap<>();
        List<String> wnids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String id = lines.get(i).strip();
            if (id.isEmpty()) {
                throw new InputException(file + " line " + (i + 1) + ": empty line; each line must hold one class id (the line number is the class index)");
            }
            // A class id names a folder: no separators, no control characters (a NUL cannot be in a
            // path at all), and not "." or "..", which would name this folder or its parent.
            if (!CLASS_ID.matcher(id).matches() || id.equals(".") || id.equals("..")) {
                throw new InputException(file + " line " + (i + 1) + ": \"" + id + "\" is not a class id"
                        + " (it has spaces, slashes or control characters, or is . or ..)");
            }
            Integer first = seen.putIfAbsent(id, i + 1);
            if (first != null) {
                throw new InputException(file + " line " + (i + 1) + ": duplicate class id " + id + " (first on line " + first + ")");
            }
            wnids.add(id);
        }
        return wnids;
    }

    /** Which val layout the folder has. */
    public static ValLayout valLayout(Path root) {
        return valLayout(root, wnids(root));
    }

    private static ValLayout valLayout(Path root, List<String> wnids) {
        Path val = root.resolve("val");
        DataFiles.requireFolder(val, "Tiny ImageNet's val folder");
        boolean wnidFolders = false;
        for (Path p : DataFiles.subfolders(val)) {
            wnidFolders |= wnids.contains(p.getFileName().toString());
        }
        Path images = val.resolve("images");
        boolean flatImages = Files.isDirectory(images) && !imagesIn(images).isEmpty();
        if (wnidFolders && flatImages) {
            throw new InputException(val + ": holds both val/images/ with images and val/<wnid>/ folders; keep one layout");
        }
        if (wnidFolders) {
            return ValLayout.RESTRUCTURED;
        }
        if (Files.isDirectory(images)) {
            return ValLayout.ORIGINAL;
        }
        throw new InputException(val + ": neither val/images/ with " + ANNOTATIONS + " nor val/<wnid>/ folders");
    }

    private static Dataset train(Path root, List<String> wnids) {
        Path train = root.resolve("train");
        DataFiles.requireFolder(train, "Tiny ImageNet's train folder, with one folder per class id");
        return byClassFolders(train, wnids, "tinyimagenet:" + root + " (train)", List.of());
    }

    private static Dataset valRestructured(Path root, List<String> wnids) {
        // A left-over, empty val/images folder is not a class.
        return byClassFolders(root.resolve("val"), wnids, "tinyimagenet:" + root + " (val)", List.of("images"));
    }

    /** One folder per wnid, each with images (in an images/ sub-folder or directly), and no other folders. */
    private static Dataset byClassFolders(Path dir, List<String> wnids, String name, List<String> ignored) {
        Map<String, Integer> index = classIndex(wnids);
        for (Path p : DataFiles.subfolders(dir)) {
            String folder = p.getFileName().toString();
            if (!index.containsKey(folder) && !ignored.contains(folder)) {
                throw new InputException(p + ": class folder \"" + folder + "\" is not listed in " + WNIDS);
            }
        }
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int c = 0; c < wnids.size(); c++) {
            String wnid = wnids.get(c);
            Path classDir = dir.resolve(wnid);
            if (!Files.isDirectory(classDir)) {
                throw new InputException(classDir + ": missing; " + WNIDS + " line " + (c + 1) + " lists class " + wnid);
            }
            Path imagesDir = classDir.resolve("images");
            List<Path> images = imagesIn(Files.isDirectory(imagesDir) ? imagesDir : classDir);
            if (images.isEmpty()) {
                throw new InputException(classDir + ": class " + wnid + " (" + WNIDS + " line " + (c + 1) + ") has no .JPEG/.jpg/.png images");
            }
            for (Path img : images) {
                files.add(img);
                labels.add(c);
            }
        }
        return new FileListDataset(name, files, labels.stream().mapToInt(Integer::intValue).toArray(), wnids);
    }

    private static Dataset valOriginal(Path root, List<String> wnids) {
        Path val = root.resolve("val");
        Path imagesDir = val.resolve("images");
        Path annotations = val.resolve(ANNOTATIONS);
        if (!Files.isRegularFile(annotations)) {
            throw new InputException(annotations + ": missing; the labels of val/images/ live only in this file");
        }
        Map<String, Integer> index = classIndex(wnids);
        Map<String, Path> present = new HashMap<>();
        for (Path p : imagesIn(imagesDir)) {
            present.put(p.getFileName().toString(), p);
        }
        // file name → (label, line number)
        Map<String, int[]> labelled = new LinkedHashMap<>();
        List<String> lines = DataFiles.readLines(annotations);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int lineNo = i + 1;
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.strip().split("\t", -1);
            if (f.length != 6 || !isInt(f[2]) || !isInt(f[3]) || !isInt(f[4]) || !isInt(f[5]) || f[0].isEmpty()) {
                throw new InputException(annotations + " line " + lineNo + ": malformed; expected file<TAB>wnid<TAB>x0<TAB>y0<TAB>x1<TAB>y1 with integer box corners");
            }
            String file = f[0];
            Integer label = index.get(f[1]);
            if (label == null) {
                throw new InputException(annotations + " line " + lineNo + ": class id " + f[1] + " is not listed in " + WNIDS);
            }
            if (!present.containsKey(file)) {
                // the name as written, not resolved: it may hold characters no path can (a NUL)
                throw new InputException(annotations + " line " + lineNo + ": " + imagesDir + "/" + file + " does not exist");
            }
            int[] earlier = labelled.putIfAbsent(file, new int[] {label, lineNo});
            if (earlier != null) {
                throw new InputException(annotations + " line " + lineNo + ": " + file + " is annotated again (first on line " + earlier[1] + ")");
            }
        }
        List<String> names = new ArrayList<>(present.keySet());
        names.sort(NaturalOrder.INSTANCE);
        int[] counts = new int[wnids.size()];
        List<Path> files = new ArrayList<>(names.size());
        int[] labels = new int[names.size()];
        int unlabelled = 0;
        String firstUnlabelled = null;
        for (int j = 0; j < names.size(); j++) {
            int[] entry = labelled.get(names.get(j));
            if (entry == null) {
                if (firstUnlabelled == null) {
                    firstUnlabelled = names.get(j);
                }
                unlabelled++;
                continue;
            }
            files.add(present.get(names.get(j)));
            labels[j] = entry[0];
            counts[entry[0]]++;
        }
        if (unlabelled > 0) {
            throw new InputException(imagesDir.resolve(firstUnlabelled) + ": no line of " + annotations + " annotates this image"
                    + (unlabelled > 1 ? " (nor " + (unlabelled - 1) + " other val images)" : ""));
        }
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] == 0) {
                throw new InputException(annotations + ": class " + wnids.get(c) + " (" + WNIDS + " line " + (c + 1) + ") has no val images");
            }
        }
        return new FileListDataset("tinyimagenet:" + root + " (val)", files, labels, wnids);
    }

    private static Map<String, Integer> classIndex(List<String> wnids) {
        Map<String, Integer> index = new HashMap<>();
        for (int c = 0; c < wnids.size(); c++) {
            index.put(wnids.get(c), c);
        }
        return index;
    }

    /** The image files directly in a folder, in natural order of their names. */
    private static List<Path> imagesIn(Path dir) {
        List<Path> out = new ArrayList<>();
        for (Path p : DataFiles.list(dir)) {
            if (DataFiles.isImageName(p.getFileName().toString()) && Files.isRegularFile(p)) {
                out.add(p);
            }
        }
        out.sort(Comparator.comparing(p -> p.getFileName().toString(), NaturalOrder.INSTANCE));
        return out;
    }

    private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");
    private static final Pattern CLASS_ID = Pattern.compile("[^\\s/\\\\\\p{Cntrl}]+");

    private static boolean isInt(String s) {
        return INTEGER.matcher(s).matches();
    }
}
