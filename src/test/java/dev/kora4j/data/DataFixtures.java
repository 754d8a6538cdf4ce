package dev.kora4j.data;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.io.InputException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.function.Executable;

/** Small synthetic data files for the data tests: CIFAR records, image files, Tiny ImageNet trees. */
final class DataFixtures {
    /** CIFAR-100 binary: coarse byte, fine byte, three 32×32 planes. */
    static final int CIFAR_RECORD = 3074;
    static final int CIFAR_PLANE = 1024;

    private DataFixtures() {}

    /** One CIFAR-100 record whose R, G, B planes are filled with the given bytes. */
    static byte[] cifarRecord(int coarse, int fine, int r, int g, int b) {
        byte[] rec = new byte[CIFAR_RECORD];
        rec[0] = (byte) coarse;
        rec[1] = (byte) fine;
        for (int i = 0; i < CIFAR_PLANE; i++) {
            rec[2 + i] = (byte) r;
            rec[2 + CIFAR_PLANE + i] = (byte) g;
            rec[2 + 2 * CIFAR_PLANE + i] = (byte) b;
        }
        return rec;
    }

    /** A CIFAR-100 file whose record i has fine label labels[i] (coarse label fine / 5) and pixel value i. */
    static Path cifarFile(Path dir, String name, int... labels) {
        byte[] all = new byte[labels.length * CIFAR_RECORD];
        for (int i = 0; i < labels.length; i++) {
            System.arraycopy(cifarRecord(labels[i] / 5, labels[i], i, i, i), 0, all, i * CIFAR_RECORD, CIFAR_RECORD);
        }
        return write(dir.resolve(name), all);
    }

    static Path write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path writeText(Path file, String text) {
        return write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    static Path writeLines(Path file, List<String> lines) {
        return writeText(file, String.join("\n", lines) + "\n");
    }

    /** A solid-colour RGB image file (format "png" or "jpeg"). */
    static Path solidImage(Path file, String format, int w, int h, int rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return writeImage(img, format, file);
    }

    static Path writeImage(BufferedImage img, String format, Path file) {
        try {
            Files.createDirectories(file.getParent());
            if (!ImageIO.write(img, format, file.toFile())) {
                throw new IllegalStateException("no " + format + " writer");
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A Tiny ImageNet tree in the original layout: wnids in the given (unsorted) order, {@code perClass}
     * tiny train JPEGs per class, and val images val_0.. with class (k mod classes), annotated.
     */
    static Path tinyImageNet(Path root, List<String> wnids, int perClass, int valImages) {
        writeLines(root.resolve("wnids.txt"), wnids);
        for (String wnid : wnids) {
            Path cls = root.resolve("train").resolve(wnid);
            StringBuilder boxes = new StringBuilder();
            for (int k = 0; k < perClass; k++) {
                String name = wnid + "_" + k + ".JPEG";
                solidImage(cls.resolve("images").resolve(name), "jpeg", 8, 8, 0x808080);
                boxes.append(name).append("\t0\t0\t7\t7\n");
            }
            writeText(cls.resolve(wnid + "_boxes.txt"), boxes.toString());
        }
        StringBuilder ann = new StringBuilder();
        for (int k = 0; k < valImages; k++) {
            String name = "val_" + k + ".JPEG";
            solidImage(root.resolve("val/images").resolve(name), "jpeg", 8, 8, 0x404040);
            ann.append(name).append('\t').append(wnids.get(k % wnids.size())).append("\t0\t1\t6\t7\n");
        }
        writeText(root.resolve("val/val_annotations.txt"), ann.toString());
        return root;
    }

    /** Expects an InputException whose message contains every fragment; returns the message. */
    static String rejects(Executable call, String... fragments) {
        InputException e = assertThrows(InputException.class, call);
        String m = e.getMessage();
        for (String f : fragments) {
            assertTrue(m.contains(f), "'" + f + "' missing from: " + m);
        }
        assertFalse(m.contains("Exception"), "message shows a Java class name: " + m);
        return m;
    }
}
