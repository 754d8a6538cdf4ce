package dev.kora4j.train;

import dev.kora4j.tensor.Rng;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * A small learnable image task written as IDX files: 8×8 greyscale images of four textures
 * (horizontal stripes, vertical stripes, a checkerboard, flat grey) under noise, and the configs of a
 * tiny ViT and a few methods. Textures differ inside every patch, so even a class token that averages
 * the patches sees the class.
 */
final class TinyTask {
    private TinyTask() {}

    static void writeIdx(Path dir, String prefix, int count, long seed) throws IOException {
        Rng rng = new Rng(seed);
        byte[] images = new byte[count * 64];
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            int c = i % 4;
            labels[i] = (byte) c;
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    boolean bright = switch (c) {
                        case 0 -> y % 2 == 0;
                        case 1 -> x % 2 == 0;
                        case 2 -> (x + y) % 2 == 0;
                        default -> (x * 7 + y * 3 + i) % 2 == 0 && rng.nextInt(2) == 0;
                    };
                    images[i * 64 + y * 8 + x] = (byte) Math.min(255, (bright ? 170 : 40) + rng.nextInt(80));
                }
            }
        }
        write(dir.resolve(prefix + "-images-idx3-ubyte.gz"), 0x803, new int[] {count, 8, 8}, images);
        write(dir.resolve(prefix + "-labels-idx1-ubyte.gz"), 0x801, new int[] {count}, labels);
    }

    private static void write(Path file, int magic, int[] dims, byte[] payload) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(4 + 4 * dims.length).putInt(magic);
        for (int d : dims) {
            header.putInt(d);
        }
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(header.array());
            out.write(payload);
        }
    }

    /** A data folder with train (train images) and test splits. */
    static Path data(Path root, int train, int test) throws IOException {
        Path dir = Files.createDirectories(root.resolve("tiny-idx"));
        writeIdx(dir, "train", train, 1);
        writeIdx(dir, "t10k", test, 2);
        return dir;
    }

    static Path modelConfig(Path root) throws IOException {
        return Files.writeString(root.resolve("model.json"), "{\"architecture\": \"vit_tiny_patch16_224\", \"num_classes\": 4, "
                + "\"model_args\": {\"img_size\": 8, \"patch_size\": 4, \"embed_dim\": 24, \"depth\": 2, \"num_heads\": 2}}");
    }

    /**
     * A backbone for the model config with well-scaled random weights (timm's initialisation keeps an
     * untrained ViT's class token nearly blind to its input, so a probe on it would learn nothing).
     */
    static Path backbone(Path root) throws IOException {
        var config = dev.kora4j.nn.ViTConfigs.read(modelConfig(root));
        var vit = new dev.kora4j.nn.VisionTransformer(config, new Rng(3));
        Rng rng = new Rng(4);
        for (var p : vit.parameters()) {
            dev.kora4j.nn.Init.copyInto(dev.kora4j.tensor.Tensor.uniform(rng, -0.4, 0.4, p.shape()), p);
        }
        Path file = root.resolve("backbone.safetensors");
        dev.kora4j.io.Safetensors.write(file, vit.namedParameters());
        return file;
    }

    static Path adapter(Path root, String name, String json) throws IOException {
        return Files.writeString(root.resolve(name + ".json"), json);
    }

    static final String LORA = "{\"peft_type\": \"LORA\", \"r\": 4, \"lora_alpha\": 4, \"target_modules\": [\"qkv\", \"proj\", \"fc1\", \"fc2\"], \"modules_to_save\": [\"head\"]}";
    static final String KORA = "{\"peft_type\": \"KORA\", \"r\": 2, \"lora_alpha\": 2, \"target_modules\": [\"qkv\"], \"composition_dim\": 3, \"lora_targets\": [\"fc1\"], \"modules_to_save\": [\"head\"]}";
}
