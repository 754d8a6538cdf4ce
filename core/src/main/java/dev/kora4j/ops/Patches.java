package dev.kora4j.ops;

import dev.kora4j.tensor.Shape;
import dev.kora4j.tensor.Tensor;

/** Patch extraction for a strided convolution whose kernel equals its stride (ViT's patch embedding). */
public final class Patches {
    private Patches() {}

    /**
     * images [B, C, H, W] → patches [B, (H/p)·(W/p), C·p·p]: patch t = row·(W/p) + col, its pixels
     * in (c, ky, kx) order, so that patches·W.reshape(D, C·p·p)ᵀ + b is the convolution.
     * Built from views and one copy, so its backward is theirs.
     */
    public static Tensor extract(Tensor images, int patch) {
        if (images.rank() != 4 || patch <= 0 || images.size(2) % patch != 0 || images.size(3) % patch != 0) {
            throw Shape.mismatch("patches", images.shape(), new int[] {patch, patch},
                    "do not match (images [B, C, H, W] with H and W multiples of the patch size)");
        }
        int b = images.size(0), c = images.size(1), gh = images.size(2) / patch, gw = images.size(3) / patch;
        return images.reshape(b, c, gh, patch, gw, patch)
                .permute(0, 2, 4, 1, 3, 5)
                .reshape(b, gh * gw, c * patch * patch);
    }
}
