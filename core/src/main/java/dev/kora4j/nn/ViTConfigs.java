package dev.kora4j.nn;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kora4j.io.InputException;
import dev.kora4j.io.JsonFile;
import dev.kora4j.io.Limits;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/** timm's named ViT architectures, and hub config.json files ({"architecture", "num_classes", "model_args"}). */
public final class ViTConfigs {
    private ViTConfigs() {}

    private static final Map<String, ViTConfig> ARCHITECTURES = Map.of(
            "vit_tiny_patch16_224", new ViTConfig("vit_tiny_patch16_224", 224, 16, 3, 192, 12, 3, 4.0, true, 1000),
            "vit_small_patch16_224", new ViTConfig("vit_small_patch16_224", 224, 16, 3, 384, 12, 6, 4.0, true, 1000),
            "vit_base_patch16_224", new ViTConfig("vit_base_patch16_224", 224, 16, 3, 768, 12, 12, 4.0, true, 1000));

    private static final Set<String> MODEL_ARGS = Set.of("img_size", "patch_size", "embed_dim", "depth", "num_heads", "mlp_ratio", "qkv_bias");


    public static ViTConfig named(String architecture) {
        ViTConfig c = ARCHITECTURES.get(architecture);
        if (c == null) {
            throw new InputException("unknown architecture '" + architecture + "' (known: " + String.join(", ", ARCHITECTURES.keySet().stream().sorted().toList()) + ")");
        }
        return c;
    }

    public static ViTConfig read(Path path) {
        return parse(JsonFile.read(path));
    }

    /** A config under the caps in force ({@link Limits#current()}): sizes beyond them are refused before anything is built. */
    public static ViTConfig parse(JsonFile json) {
        return parse(json, Limits.current());
    }

    public static ViTConfig parse(JsonFile json, Limits limits) {
        String arch = json.string("architecture");
        ViTConfig base = ARCHITECTURES.get(arch);
        if (base == null) {
            throw json.error("architecture", "'" + arch + "' is unknown (known: "
                    + String.join(", ", ARCHITECTURES.keySet().stream().sorted().toList()) + ")");
        }
        int classes = capped(json, "num_classes", base.numClasses(), limits.modelClasses(), "modelClasses");
        JsonFile args = json.object("model_args");
        for (String key : args.keys()) {
            if (!MODEL_ARGS.contains(key)) {
                throw args.error(key, "is not supported (model_args may set " + String.join(", ", MODEL_ARGS.stream().sorted().toList()) + ")");
            }
        }
        int img = imgSize(args, base.imgSize(), limits);
        int patch = capped(args, "patch_size", base.patchSize(), limits.modelImageSize(), "modelImageSize");
        int dim = capped(args, "embed_dim", base.embedDim(), limits.modelWidth(), "modelWidth");
        int depth = capped(args, "depth", base.depth(), limits.modelDepth(), "modelDepth");
        int heads = capped(args, "num_heads", base.numHeads(), limits.modelWidth(), "modelWidth");
        double mlpRatio = args.number("mlp_ratio", base.mlpRatio(), 1e-3, 64);
        boolean qkvBias = args.bool("qkv_bias", base.qkvBias());
        if (dim % heads != 0) {
            throw args.error("embed_dim", dim + " is not divisible by num_heads " + heads);
        }
        if (img % patch != 0) {
            throw args.error("img_size", img + " is not a multiple of patch_size " + patch);
        }
        ViTConfig c = new ViTConfig(arch, img, patch, 3, dim, depth, heads, mlpRatio, qkvBias, classes);
        if (c.mlpHidden() < 1 || (long) c.mlpHidden() * dim > Integer.MAX_VALUE || (long) c.tokens() * dim > Integer.MAX_VALUE) {
            throw args.error("mlp_ratio", "gives an MLP of " + c.mlpHidden() + " units for embed_dim " + dim + ", outside what a tensor can hold");
        }
        if (c.mlpHidden() > limits.modelWidth()) {
            throw args.error("mlp_ratio", "gives an MLP of " + c.mlpHidden() + " units, " + Limits.over("modelWidth", limits.modelWidth()));
        }
        if (c.parameterCount() > limits.modelParameters()) {
            throw new InputException(json.source() + ": the model it describes has " + c.parameterCount() + " parameters, "
                    + Limits.over("modelParameters", limits.modelParameters()));
        }
        return c;
    }

    /** A positive integer setting that may not exceed a cap; the error for a value over it names the cap. */
    private static int capped(JsonFile json, String key, int fallback, long cap, String capName) {
        JsonNode n = json.has(key) ? json.root().get(key) : null;
        if (n != null && n.isIntegralNumber() && n.bigIntegerValue().compareTo(BigInteger.valueOf(cap)) > 0) {
            throw json.error(key, n.bigIntegerValue() + " is " + Limits.over(capName, cap));
        }
        return json.integer(key, fallback, 1, cap);
    }

    /** timm takes an int or [H, W]; this engine handles square images. */
    private static int imgSize(JsonFile args, int fallback, Limits limits) {
        if (args.has("img_size") && args.root().get("img_size").isArray()) {
            var list = args.root().get("img_size");
            if (list.size() != 2 || !list.get(0).isIntegralNumber() || !list.get(0).equals(list.get(1))) {
                throw args.error("img_size", "must be an integer or [n, n] (square images), got " + list);
            }
            return capped(JsonFile.parse(args.source(), "{\"img_size\":" + list.get(0) + "}"), "img_size", fallback,
                    limits.modelImageSize(), "modelImageSize");
        }
        return capped(args, "img_size", fallback, limits.modelImageSize(), "modelImageSize");
    }
}
