package dev.kora4j.spark;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Small class-balanced subsets of the repository's demo data (test-data/demo), written as IDX files,
 * and a SWEEP.json over them: a sweep of a few seconds per run, on real images and the real backbone.
 */
final class DemoData {
    private DemoData() {}

    static Path home() {
        return Path.of(System.getProperty("kora.home", "..")).toAbsolutePath().normalize();
    }

    static Path demo() {
        return home().resolve("test-data").resolve("demo");
    }

    /** The first {@code perClass} images of each class of both splits of a demo data set. */
    static Path subset(String name, int trainPerClass, int testPerClass, Path into) throws IOException {
        Path out = Files.createDirectories(into.resolve(name));
        copy(demo().resolve(name), out, "train", trainPerClass);
        copy(demo().resolve(name), out, "t10k", testPerClass);
        return out;
    }

    private static void copy(Path from, Path to, String prefix, int perClass) throws IOException {
        Idx images = Idx.read(from.resolve(prefix + "-images-idx3-ubyte.gz"));
        Idx labels = Idx.read(from.resolve(prefix + "-labels-idx1-ubyte.gz"));
        int size = images.data.length / images.dims[0];
        int[] taken = new int[256];
        java.io.ByteArrayOutputStream keptImages = new java.io.ByteArrayOutputStream(), keptLabels = new java.io.ByteArrayOutputStream();
        int n = 0;
        for (int i = 0; i < labels.data.length; i++) {
            int label = labels.data[i] & 0xFF;
            if (taken[label]++ < perClass) {
                keptImages.write(images.data, i * size, size);
                keptLabels.write(label);
                n++;
            }
        }
        int[] imageDims = images.dims.clone();
        imageDims[0] = n;
        new Idx(images.magic, imageDims, keptImages.toByteArray()).write(to.resolve(prefix + "-images-idx3-ubyte.gz"));
        new Idx(labels.magic, new int[] {n}, keptLabels.toByteArray()).write(to.resolve(prefix + "-labels-idx1-ubyte.gz"));
    }

    private record Idx(int magic, int[] dims, byte[] data) {
        static Idx read(Path file) throws IOException {
            try (InputStream raw = new GZIPInputStream(Files.newInputStream(file)); DataInputStream in = new DataInputStream(raw)) {
                int magic = in.readInt();
                int[] dims = new int[magic & 0xFF];
                long count = 1;
                for (int d = 0; d < dims.length; d++) {
                    dims[d] = in.readInt();
                    count *= dims[d];
                }
                return new Idx(magic, dims, in.readNBytes((int) count));
            }
        }

        void write(Path file) throws IOException {
            try (OutputStream raw = new GZIPOutputStream(Files.newOutputStream(file)); DataOutputStream out = new DataOutputStream(raw)) {
                out.writeInt(magic);
                for (int d : dims) {
                    out.writeInt(d);
                }
                out.write(data);
            }
        }
    }

    /**
     * LoRA and KoRA (the demo's configs) × seeds 0 and 1: the demo backbone fine-tuned on 16 MNIST
     * images per class for 2 epochs with a checkpoint every 2 steps, then a new head on 5 digits per
     * class; everything evaluated on 10 images per class.
     */
    static Path sweepSpec(Path dir) throws IOException {
        subset("mnist", 16, 10, dir);
        subset("digits-8x8", 5, 10, dir);
        Path methods = demo().resolve("methods");
        String json = """
                {
                  "title": "LoRA vs KoRA on demo subsets",
                  "model": "%s",
                  "weights": "%s",
                  "source": {"data": "idx:mnist"},
                  "transfer": {"data": "idx:digits-8x8", "shots": 5, "epochs": 2, "batch": 25, "lr": 3e-3, "workers": 0},
                  "train": {"epochs": 2, "batch": 32, "lr": 5e-3, "warmup_steps": 2, "clip_norm": 1.0, "checkpoint_every": 2, "workers": 0},
                  "cka_images": 16,
                  "grid": {"method": ["%s", "%s"]},
                  "seeds": [0, 1]
                }
                """.formatted(demo().resolve("backbone/config.json"), demo().resolve("backbone/backbone.safetensors"),
                methods.resolve("lora.json"), methods.resolve("kora.json"));
        return Files.writeString(dir.resolve("spec.json"), json);
    }
}
