package dev.kora4j.peft;

import dev.kora4j.nn.VisionTransformer;
import java.util.ArrayList;
import java.util.List;

/**
 * The modules of timm's VisionTransformer (1.0.29, as kora4j builds it: class token, no fc_norm) by
 * the names and classes timm's {@code named_modules()} gives them: the names PEFT decides its
 * target rules on, containers, norms and dropouts included.
 */
final class TimmModules {
    /** A module's name and class, e.g. "blocks.0.attn.qkv", "Linear". */
    record Entry(String name, String type) {
        boolean linear() {
            return type.equals("Linear");
        }

        boolean conv() {
            return type.equals("Conv2d");
        }
    }

    private TimmModules() {}

    static List<Entry> of(VisionTransformer vit) {
        List<Entry> out = new ArrayList<>();
        add(out, "", "VisionTransformer", "patch_embed", "PatchEmbed", "patch_embed.proj", "Conv2d", "patch_embed.norm", "Identity",
                "pos_drop", "Dropout", "patch_drop", "Identity", "norm_pre", "Identity", "blocks", "Sequential");
        for (int i = 0; i < vit.blocks.size(); i++) {
            String b = "blocks." + i;
            add(out, b, "Block", b + ".norm1", "LayerNorm", b + ".attn", "Attention", b + ".attn.qkv", "Linear",
                    b + ".attn.q_norm", "Identity", b + ".attn.k_norm", "Identity", b + ".attn.attn_drop", "Dropout",
                    b + ".attn.norm", "Identity", b + ".attn.proj", "Linear", b + ".attn.proj_drop", "Dropout",
                    b + ".ls1", "Identity", b + ".drop_path1", "Identity", b + ".norm2", "LayerNorm", b + ".mlp", "Mlp",
                    b + ".mlp.fc1", "Linear", b + ".mlp.act", "GELU", b + ".mlp.drop1", "Dropout", b + ".mlp.norm", "Identity",
                    b + ".mlp.fc2", "Linear", b + ".mlp.drop2", "Dropout", b + ".ls2", "Identity", b + ".drop_path2", "Identity");
        }
        add(out, "norm", "LayerNorm", "fc_norm", "Identity", "head_drop", "Dropout", "head", "Linear");
        return out;
    }

    /** Pairs of name and class. */
    private static void add(List<Entry> out, String... namesAndTypes) {
        for (int i = 0; i < namesAndTypes.length; i += 2) {
            out.add(new Entry(namesAndTypes[i], namesAndTypes[i + 1]));
        }
    }
}
