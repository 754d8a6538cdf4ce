package dev.kora4j.data;

import dev.kora4j.io.InputException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** File-system helpers shared by the readers, turning every failure into an InputException that names the path. */
final class DataFiles {
    private DataFiles() {}

    /** Says what went wrong with a file operation in plain words, without Java class names. */
    static String describe(IOException e) {
        return dev.kora4j.io.IoErrors.describe(e);
    }

    static InputException error(Path path, IOException e) {
        return new InputException(path + ": " + describe(e), e);
    }

    /** The lines of a UTF-8 text file, without line terminators. */
    static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw error(file, e);
        }
    }

    /** A folder that must exist. */
    static void requireFolder(Path dir, String what) {
        if (!Files.isDirectory(dir)) {
            throw new InputException(dir + ": " + (Files.exists(dir) ? "is not a folder" : "no such folder") + " (expected " + what + ")");
        }
    }

    /** The entries of a folder (not recursive), hidden ones (names starting with '.') left out. */
    static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> out = new ArrayList<>();
            s.filter(p -> !p.getFileName().toString().startsWith(".")).forEach(out::add);
            return out;
        } catch (IOException e) {
            throw error(dir, e);
        }
    }

    /** The sub-folders of a folder, hidden ones left out. */
    static List<Path> subfolders(Path dir) {
        List<Path> out = new ArrayList<>();
        for (Path p : list(dir)) {
            if (Files.isDirectory(p)) {
                out.add(p);
            }
        }
        return out;
    }

    /** Whether a file name ends in .jpg, .jpeg or .png, in any case. */
    static boolean isImageName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return !lower.startsWith(".") && (lower.endsWith(".jpg") || lower.endsWith(".jpeg") || lower.endsWith(".png"));
    }

    /** The image files in a folder and all folders below it (hidden entries left out), in no particular order. */
    static List<Path> imagesBelow(Path dir) {
        List<Path> out = new ArrayList<>();
        for (Path p : list(dir)) {
            if (Files.isDirectory(p)) {
                out.addAll(imagesBelow(p));
            } else if (isImageName(p.getFileName().toString()) && Files.isRegularFile(p)) {
                out.add(p);
            }
        }
        return out;
    }
}
