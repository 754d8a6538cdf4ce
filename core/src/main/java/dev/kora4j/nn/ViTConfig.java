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

    /**
     * The number of parameters of the model (timm's VisionTransformer with this shape); Long.MAX_VALUE
     * when that overflows 64 bits (an absurd config).
     */
    public long parameterCount() {
        try {
            long d = embedDim, h = mlpHidden();
            long perBlock = sum(4 * d,                                              // norm1, norm2
                    Math.multiplyExact(3 * d, d), qkvBias ? 3 * d : 0,              // attn.qkv
                    Math.multiplyExact(d, d), d,                                    // attn.proj
                    Math.multiplyExact(2 * h, d), h, d);                            // mlp.fc1, mlp.fc2
            return sum(Math.multiplyExact(d, (long) inChans * patchSize * patchSize), d, // patch_embed.proj
                    d, Math.multiplyExact(tokens(), d),                             // cls_token, pos_embed
                    Math.multiplyExact(depth, perBlock),
                    2 * d,                                                          // norm
                    Math.multiplyExact(numClasses, d), numClasses);                 // head
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private static long sum(long... terms) {
        long s = 0;
        for (long t : terms) {
            s = Math.addExact(s, t);
        }
        return s;
    }

    public ViTConfig withNumClasses(int classes) {
        return new ViTConfig(architecture, imgSize, patchSize, inChans, embedDim, depth, numHeads, mlpRatio, qkvBias, classes);
    }
}
