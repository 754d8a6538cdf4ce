package dev.kora4j.data;

import dev.kora4j.io.InputException;
import dev.kora4j.io.Limits;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes JPEG and PNG files to RGB {@link Image}s with values in [0, 1], through javax.imageio
 * (with the TwelveMonkeys JPEG plugin on the class path for CMYK/YCCK files). Greyscale becomes
 * RGB by repeating the grey level and alpha is dropped, as PIL's convert("RGB") does. Every failure
 * is an InputException that names the file.
 */
public final class ImageDecoder {
    private ImageDecoder() {}

    /**
     * Decodes a file under the caps in force ({@link Limits#current()}): neither side may exceed
     * {@code kora.limits.imageSide} nor the pixel count {@code kora.limits.imagePixels} (40 MP, 480 MB
     * as float RGB, by default), checked from the header before any pixel is allocated.
     */
    public static Image decode(Path file) {
        return decode(file, Limits.current());
    }

    /** Decodes a file under the given caps. */
    public static Image decode(Path file, Limits limits) {
        long bytes;
        try {
            bytes = Files.size(file);
        } catch (IOException e) {
            throw DataFiles.error(file, e);
        }
        if (bytes == 0) {
            throw new InputException(file + ": empty file (0 bytes), not an image");
        }
        String format = "image";
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new InputException(file + ": cannot be opened for reading");
            }
            ImageReader reader = jpegOrPngReader(in);
            if (reader == null) {
                throw new InputException(file + ": not a JPEG or PNG image (no JPEG or PNG decoder recognises its contents)");
            }
            format = reader.getFormatName().toUpperCase(Locale.ROOT);
            try {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                checkSize(file, format, width, height, limits);
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, message) -> warnings.add(message));
                BufferedImage image = reader.read(0);
                for (String w : warnings) {
                    if (isTruncation(w)) {
                        throw new InputException(file + ": truncated " + format + " (the data ends before the image does)");
                    }
                }
                return toRgb(image);
            } finally {
                reader.dispose();
            }
        } catch (InputException e) {
            throw e;
        } catch (IIOException e) {
            throw new InputException(file + ": truncated or corrupt " + format + " (" + rootMessage(e) + ")", e);
        } catch (IOException e) {
            throw DataFiles.error(file, e);
        } catch (RuntimeException e) {
            // Decoders signal some corrupt inputs with unchecked exceptions (e.g. an index out of bounds).
            throw new InputException(file + ": corrupt " + format + " (" + rootMessage(e) + ")", e);
        }
    }

    private static ImageReader jpegOrPngReader(ImageInputStream in) throws IOException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        while (readers.hasNext()) {
            ImageReader r = readers.next();
            String name = r.getFormatName().toLowerCase(Locale.ROOT);
            if (name.equals("jpeg") || name.equals("jpg") || name.equals("png")) {
                return r;
            }
        }
        return null;
    }

    private static void checkSize(Path file, String format, int width, int height, Limits limits) {
        if (width <= 0 || height <= 0) {
            throw new InputException(file + ": " + format + " declares an empty size " + width + "x" + height);
        }
        String declares = file + ": " + format + " declares " + width + "x" + height + " pixels; ";
        if (Math.max(width, height) > limits.imageSide()) {
            throw new InputException(declares + "a side of " + Math.max(width, height) + " is " + Limits.over("imageSide", limits.imageSide()));
        }
        if ((long) width * height > limits.imagePixels()) {
            throw new InputException(declares + (long) width * height + " pixels in all is " + Limits.over("imagePixels", limits.imagePixels()));
        }
    }

    /** libjpeg reports a file that ends early only as a warning (and fills the rest with grey); we refuse such files. */
    private static boolean isTruncation(String warning) {
        String w = warning == null ? "" : warning.toLowerCase(Locale.ROOT);
        return w.contains("premature end") || w.contains("truncat") || w.contains("missing eoi");
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            m = e.getMessage();
        }
        return m == null || m.isBlank() ? "the decoder gave no reason" : m;
    }

    /** Copies a decoded image into float RGB planes. */
    static Image toRgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int plane = w * h;
        float[] out = new float[3 * plane];
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        int type = raster.getTransferType();
        if (cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && !(cm instanceof IndexColorModel)
                && (type == DataBuffer.TYPE_BYTE || type == DataBuffer.TYPE_USHORT)) {
            // Read grey levels directly: getRGB() would treat Java's grey space as linear and brighten mid-tones.
            float scale = 1f / ((1 << cm.getComponentSize(0)) - 1);
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    float v = row[x] * scale;
                    int i = y * w + x;
                    out[i] = v;
                    out[plane + i] = v;
                    out[2 * plane + i] = v;
                }
            }
        } else {
            int[] argb = new int[w];
            for (int y = 0; y < h; y++) {
                image.getRGB(0, y, w, 1, argb, 0, w);
                for (int x = 0; x < w; x++) {
                    int p = argb[x];
                    int i = y * w + x;
                    out[i] = ((p >>> 16) & 0xFF) / 255f;
                    out[plane + i] = ((p >>> 8) & 0xFF) / 255f;
                    out[2 * plane + i] = (p & 0xFF) / 255f;
                }
            }
        }
        return new Image(h, w, out);
    }
}
