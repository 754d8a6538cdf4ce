package dev.kora4j.nn;

import dev.kora4j.io.InputException;
import dev.kora4j.tensor.Shape;
import dev.kora4j.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Loads a timm state dict into a VisionTransformer: names and shapes strictly, except that a head of
 * another size is left fresh (fine-tuning a 1000-class checkpoint on 100 classes) and a position
 * embedding for another grid is resampled as timm does.
 */
public final class VitWeights {
    private VitWeights() {}

    /** What loading did besides copying (for logs). */
    public record Report(boolean freshHead, boolean resampledPosEmbed) {}

    public static Report load(VisionTransformer vit, Map<String, Tensor> state, String source) {
        Map<String, Tensor> params = vit.namedParameters();
        params.keySet().removeIf(name -> name.contains(".lora_") || name.contains(".kora_")); // adapters load separately
        TreeSet<String> missing = new TreeSet<>(params.keySet());
        missing.removeAll(state.keySet());
        TreeSet<String> unexpected = new TreeSet<>(state.keySet());
        unexpected.removeAll(params.keySet());
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new InputException(source + ": does not hold the model's weights"
                    + (missing.isEmpty() ? "" : "; missing " + list(missing))
                    + (unexpected.isEmpty() ? "" : "; unexpected " + list(unexpected)));
        }
        boolean freshHead = false, resampled = false;
        for (var e : params.entrySet()) {
            String name = e.getKey();
            Tensor target = e.getValue();
            Tensor value = state.get(name);
            if (Arrays.equals(value.shape(), target.shape())) {
                Init.copyInto(value, target);
            } else if (isHeadOfAnotherClassCount(name, value, target)) {
                freshHead = true; // fine-tuning a checkpoint on another number of classes: keep the fresh head
            } else if (name.equals("pos_embed") && value.rank() == 3 && value.size(0) == 1 && value.size(2) == target.size(2)) {
                int grid = vit.config().gridSize();
                try {
                    Init.copyInto(PosEmbedResample.resample(value, grid, grid), target);
                } catch (IllegalArgumentException ex) {
                    throw new InputException(source + ": pos_embed " + ex.getMessage());
                }
                resampled = true;
            } else {
                throw new InputException(source + ": " + name + " has shape " + Shape.format(value.shape())
                        + " but the model expects " + Shape.format(target.shape()));
            }
        }
        return new Report(freshHead, resampled);
    }

    /** head.weight [C', D] against [C, D], or head.bias [C'] against [C]. */
    private static boolean isHeadOfAnotherClassCount(String name, Tensor value, Tensor target) {
        return switch (name) {
            case "head.weight" -> value.rank() == 2 && value.size(1) == target.size(1);
            case "head.bias" -> value.rank() == 1;
            default -> false;
        };
    }

    private static String list(TreeSet<String> names) {
        List<String> l = List.copyOf(names);
        return l.size() <= 6 ? String.join(", ", l) : String.join(", ", l.subList(0, 6)) + " and " + (l.size() - 6) + " more";
    }
}
