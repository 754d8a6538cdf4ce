package dev.kora4j.nn;

/**
 * A timm VisionTransformer's shape. {@link ViTConfigs} reads it from a hub config.json.
 *
 * @param mlpRatio hidden width of the MLP is (int) (embedDim · mlpRatio), as timm computes it
 */
public record ViTConfig(String architecture, int imgSize, int patchSize, int inChans, int embedDim, int depth, int numHeads,
                        double mlpRatio, boolean qkvBias, int numClasses) {
    /** LayerNorm epsilon of timm's ViT (norm1, norm2 and the final norm). */
    public static final double LN_EPS = 1e-6;

    public int gridSize() {
        return imgSize / patchSize;
    }

    /** Patches plus the class token. */
    public int tokens() {
        return gridSize() * gridSize() + 1;
    }

    public int headDim() {
        return embedDim / numHeads;
    }

    public int mlpHidden() {
        return (int) (embedDim * mlpRatio);
    }

    public ViTConfig withNumClasses(int classes) {
        return new ViTConfig(architecture, imgSize, patchSize, inChans, embedDim, depth, numHeads, mlpRatio, qkvBias, classes);
    }
}
