package dev.kora4j.data;

import static dev.kora4j.data.DataFixtures.rejects;
import static dev.kora4j.data.DataFixtures.solidImage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
    @TempDir
    Path dir;

    @Test
    void classesAreSubfoldersInNameOrder() throws IOException {
        solidImage(dir.resolve("b/one.jpg"), "jpeg", 4, 4, 0xFF0000);
        solidImage(dir.resolve("b/deeper/two.PNG"), "png", 4, 4, 0x00FF00);
        solidImage(dir.resolve("a/x.JPEG"), "jpeg", 4, 4, 0x0000FF);
        solidImage(dir.resolve("C/y.Png"), "png", 4, 4, 0xFFFFFF);
        DataFixtures.writeText(dir.resolve("b/notes.txt"), "not an image");
        solidImage(dir.resolve(".ipynb_checkpoints/z.png"), "png", 4, 4, 0);
        DataFixtures.writeText(dir.resolve("README"), "a stray file beside the classes");

        Dataset ds = ImageFolder.open(dir);
        assertEquals(3, ds.numClasses());
        assertEquals("C", ds.className(0)); // code point order, as torchvision sorts: upper case first
        assertEquals("a", ds.className(1));
        assertEquals("b", ds.className(2));
        assertArrayEquals(new int[] {0, 1, 2, 2}, ds.labels());
        Image red = ds.image(3); // b/one.jpg sorts after b/deeper/two.PNG
        assertEquals(1f, red.get(0, 0, 0), 2 / 255f);
        assertEquals(0f, red.get(1, 0, 0), 2 / 255f);
    }

    @Test
    void aClassFolderWithoutImagesIsRefused() throws IOException {
        solidImage(dir.resolve("a/x.png"), "png", 4, 4, 0);
        Files.createDirectories(dir.resolve("empty"));
        DataFixtures.writeText(dir.resolve("empty/readme.txt"), "no images here");
        rejects(() -> ImageFolder.open(dir), dir.resolve("empty").toString(), "class \"empty\"", "no .jpg/.jpeg/.png images");
    }

    @Test
    void aFolderWithoutClassFoldersIsRefused() {
        solidImage(dir.resolve("x.png"), "png", 4, 4, 0);
        rejects(() -> ImageFolder.open(dir), dir.toString(), "no class folders");
    }

    @Test
    void aMissingFolderIsNamed() {
        Path missing = dir.resolve("nothing");
        rejects(() -> ImageFolder.open(missing), missing.toString(), "no such folder");
    }
}
