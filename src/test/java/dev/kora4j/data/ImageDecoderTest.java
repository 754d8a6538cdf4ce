package dev.kora4j.data;

import static dev.kora4j.data.DataFixtures.rejects;
import static dev.kora4j.data.DataFixtures.writeImage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.twelvemonkeys.imageio.color.ColorSpaces;
import dev.kora4j.tensor.Rng;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDecoderTest {
    private static final float LEVEL = 1 / 255f;

    @TempDir
    Path dir;

    @Test
    void rgbPngIsExact() {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0xFF0000);
        img.setRGB(1, 0, 0x00FF00);
        img.setRGB(2, 0, 0x0000FF);
        img.setRGB(0, 1, 0x102030);
        Image out = ImageDecoder.decode(writeImage(img, "png", dir.resolve("rgb.png")));
        assertEquals(2, out.height());
        assertEquals(3, out.width());
        assertEquals(1f, out.get(0, 0, 0));
        assertEquals(0f, out.get(1, 0, 0));
        assertEquals(1f, out.get(1, 0, 1));
        assertEquals(1f, out.get(2, 0, 2));
        assertEquals(0x10 / 255f, out.get(0, 1, 0));
        assertEquals(0x20 / 255f, out.get(1, 1, 0));
        assertEquals(0x30 / 255f, out.get(2, 1, 0));
    }

    @Test
    void alphaIsDropped() {
        BufferedImage img = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
        img.setRGB(0, 0, 0x40C08020);
        Image out = ImageDecoder.decode(writeImage(img, "png", dir.resolve("rgba.png")));
        assertEquals(0xC0 / 255f, out.get(0, 0, 0));
        assertEquals(0x80 / 255f, out.get(1, 0, 0));
        assertEquals(0x20 / 255f, out.get(2, 0, 0));
    }

    @Test
    void greyscalePngRepeatsTheGreyLevel() {
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSample(0, 0, 0, 128);
        img.getRaster().setSample(1, 1, 0, 37);
        Image out = ImageDecoder.decode(writeImage(img, "png", dir.resolve("grey.png")));
        for (int c = 0; c < 3; c++) {
            // 128/255, not the ~0.73 that a linear-to-sRGB conversion of Java's grey space would give.
            assertEquals(128 / 255f, out.get(c, 0, 0));
            assertEquals(37 / 255f, out.get(c, 1, 1));
            assertEquals(0f, out.get(c, 0, 1));
        }
    }

    @Test
    void sixteenBitGreyPngIsScaledByItsDepth() {
        BufferedImage img = new BufferedImage(1, 1, BufferedImage.TYPE_USHORT_GRAY);
        img.getRaster().setSample(0, 0, 0, 32768);
        Image out = ImageDecoder.decode(writeImage(img, "png", dir.resolve("grey16.png")));
        assertEquals(32768 / 65535f, out.get(1, 0, 0));
    }

    @Test
    void palettePngUsesItsColours() {
        IndexColorModel palette = new IndexColorModel(8, 2, new byte[] {0, (byte) 200}, new byte[] {0, 100}, new byte[] {0, 50});
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_INDEXED, palette);
        img.getRaster().setSample(1, 0, 0, 1);
        Image out = ImageDecoder.decode(writeImage(img, "png", dir.resolve("palette.png")));
        assertEquals(200 / 255f, out.get(0, 0, 1));
        assertEquals(100 / 255f, out.get(1, 0, 1));
        assertEquals(50 / 255f, out.get(2, 0, 1));
        assertEquals(0f, out.get(0, 0, 0));
    }

    @Test
    void greyscaleJpegLoadsAsRgb() {
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                img.getRaster().setSample(x, y, 0, 128);
            }
        }
        Image out = ImageDecoder.decode(writeImage(img, "jpeg", dir.resolve("grey.jpg")));
        for (int c = 0; c < 3; c++) {
            assertEquals(128 / 255f, out.get(c, 7, 7), 2 * LEVEL);
        }
        assertEquals(out.get(0, 3, 3), out.get(2, 3, 3));
    }

    @Test
    void cmykJpegLoadsAsRgb() throws IOException {
        ColorSpace cmyk = ColorSpaces.getColorSpace(ColorSpaces.CS_GENERIC_CMYK);
        ColorModel cm = new ComponentColorModel(cmyk, false, false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        WritableRaster r = cm.createCompatibleWritableRaster(16, 8);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 16; x++) {
                r.setPixel(x, y, x < 8 ? new int[] {0, 0, 0, 0} : new int[] {255, 0, 0, 0}); // no ink | full cyan
            }
        }
        Path file = writeImage(new BufferedImage(cm, r, false, null), "jpeg", dir.resolve("cmyk.jpg"));
        byte[] bytes = Files.readAllBytes(file);
        assertTrue(bytes[2] == (byte) 0xFF && bytes[3] == (byte) 0xEE, "expected an Adobe (APP14) CMYK JPEG");

        Image out = ImageDecoder.decode(file);
        assertEquals(8, out.height());
        assertEquals(16, out.width());
        for (int c = 0; c < 3; c++) {
            assertTrue(out.get(c, 4, 2) > 0.9f, "no ink should look white");
        }
        assertTrue(out.get(0, 4, 13) < 0.3f, "cyan has little red");
        assertTrue(out.get(2, 4, 13) > 0.7f, "cyan has much blue");
    }

    @Test
    void aTruncatedJpegIsRefused() throws IOException {
        Path full = writeImage(noise(64), "jpeg", dir.resolve("full.jpg"));
        byte[] bytes = Files.readAllBytes(full);
        Path cut = DataFixtures.write(dir.resolve("cut.jpg"), Arrays.copyOf(bytes, bytes.length / 2));
        rejects(() -> ImageDecoder.decode(cut), cut.toString(), "truncated");
        Path header = DataFixtures.write(dir.resolve("header.jpg"), Arrays.copyOf(bytes, 40));
        rejects(() -> ImageDecoder.decode(header), header.toString(), "JPEG");
    }

    @Test
    void aTruncatedPngIsRefused() throws IOException {
        byte[] bytes = Files.readAllBytes(writeImage(noise(32), "png", dir.resolve("full.png")));
        Path cut = DataFixtures.write(dir.resolve("cut.png"), Arrays.copyOf(bytes, bytes.length / 2));
        rejects(() -> ImageDecoder.decode(cut), cut.toString(), "truncated or corrupt PNG");
    }

    @Test
    void aZeroByteFileIsRefused() {
        Path empty = DataFixtures.write(dir.resolve("empty.jpg"), new byte[0]);
        rejects(() -> ImageDecoder.decode(empty), empty.toString(), "empty file");
    }

    @Test
    void aFileThatIsNotAnImageIsRefused() {
        Path text = DataFixtures.writeText(dir.resolve("notes.jpg"), "this is not a picture\n");
        rejects(() -> ImageDecoder.decode(text), text.toString(), "not a JPEG or PNG image");
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        Path gif = writeImage(img, "gif", dir.resolve("image.png"));
        rejects(() -> ImageDecoder.decode(gif), gif.toString(), "not a JPEG or PNG image");
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("missing.png");
        rejects(() -> ImageDecoder.decode(missing), missing.toString(), "no such file");
    }

    @Test
    void hugeDeclaredSizesAreRefusedBeforeDecoding() throws IOException {
        byte[] png = Files.readAllBytes(writeImage(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB), "png", dir.resolve("one.png")));
        Path wide = DataFixtures.write(dir.resolve("wide.png"), withPngSize(png, 20000, 1));
        rejects(() -> ImageDecoder.decode(wide), wide.toString(), "20000x1", "limit");
        Path big = DataFixtures.write(dir.resolve("big.png"), withPngSize(png, 10000, 10000));
        rejects(() -> ImageDecoder.decode(big), big.toString(), "10000x10000", "limit");
    }

    /** Random pixels, so that compressed files are long and cutting them in half cuts the pixel data. */
    private static BufferedImage noise(int side) {
        Rng rng = new Rng(7);
        BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                img.setRGB(x, y, (int) rng.nextLong());
            }
        }
        return img;
    }

    /** Rewrites the width and height in a PNG's IHDR chunk (bytes 16..23) and its CRC. */
    private static byte[] withPngSize(byte[] png, int width, int height) {
        byte[] out = png.clone();
        ByteBuffer b = ByteBuffer.wrap(out);
        b.putInt(16, width);
        b.putInt(20, height);
        CRC32 crc = new CRC32();
        crc.update(out, 12, 17); // chunk type and 13 data bytes
        b.putInt(29, (int) crc.getValue());
        return out;
    }
}
