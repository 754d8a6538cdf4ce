package dev.kora4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.io.InputException;
import dev.kora4j.io.JsonFile;
import org.junit.jupiter.api.Test;

class ViTConfigsTest {
    private static ViTConfig parse(String json) {
        return ViTConfigs.parse(JsonFile.parse("config.json", json));
    }

    private static void assertRejected(String json, String... fragments) {
        var e = assertThrows(InputException.class, () -> parse(json));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), e.getMessage() + " should mention " + f);
        }
        assertTrue(e.getMessage().startsWith("config.json"), e.getMessage());
    }

    @Test
    void namedArchitecturesHaveTimmsShapes() {
        ViTConfig base = parse("{\"architecture\": \"vit_base_patch16_224\"}");
        assertEquals(768, base.embedDim());
        assertEquals(12, base.numHeads());
        assertEquals(197, base.tokens());
        assertEquals(3072, base.mlpHidden());
        assertEquals(1000, base.numClasses());
        assertEquals(192, parse("{\"architecture\": \"vit_tiny_patch16_224\"}").embedDim());
        assertEquals(6, parse("{\"architecture\": \"vit_small_patch16_224\"}").numHeads());
    }

    @Test
    void modelArgsOverride() {
        ViTConfig c = parse("{\"architecture\": \"vit_tiny_patch16_224\", \"num_classes\": 100, \"extra\": 1,"
                + " \"model_args\": {\"img_size\": 32, \"patch_size\": 4, \"depth\": 2, \"embed_dim\": 24, \"num_heads\": 3,"
                + " \"mlp_ratio\": 2.5, \"qkv_bias\": false}}");
        assertEquals(32, c.imgSize());
        assertEquals(65, c.tokens());
        assertEquals(60, c.mlpHidden());
        assertEquals(100, c.numClasses());
        assertEquals(false, c.qkvBias());
        assertEquals(32, parse("{\"architecture\": \"vit_tiny_patch16_224\", \"model_args\": {\"img_size\": [32, 32], \"patch_size\": 4}}").imgSize());
    }

    @Test
    void badConfigsNameTheKey() {
        assertRejected("{\"architecture\": \"vit_huge\"}", "architecture", "vit_huge");
        assertRejected("{}", "architecture", "missing");
        assertRejected("{\"architecture\": \"vit_tiny_patch16_224\", \"model_args\": {\"embed_dim\": 100, \"num_heads\": 3}}",
                "embed_dim", "num_heads");
        assertRejected("{\"architecture\": \"vit_tiny_patch16_224\", \"model_args\": {\"img_size\": 30, \"patch_size\": 4}}", "img_size");
        assertRejected("{\"architecture\": \"vit_tiny_patch16_224\", \"model_args\": {\"depth\": 1000000000}}", "depth");
        assertRejected("{\"architecture\": \"vit_tiny_patch16_224\", \"model_args\": {\"depth\": 2.0}}", "depth", "integer");
        assertRejected("{\"architecture\": \"vit_tiny_patch16_224\", \"model_args\": {\"depth\": \"2\"}}", "depth", "integer");
        assertRejected("{\"architecture\": \"vit_tiny_patch16_224\", \"model_args\": {\"global_pool\": \"avg\"}}", "global_pool", "not supported");
        assertRejected("{\"architecture\": \"vit_tiny_patch16_224\", \"num_classes\": -1}", "num_classes");
        assertRejected("{\"architecture\": \"vit_tiny_patch16_224\", \"num_classes\": 3, \"num_classes\": 4}", "twice");
        assertRejected("[1, 2]", "object");
        assertRejected("{\"architecture\": ", "not valid JSON");
    }

    @Test
    void parameterCountIsTheModelsOwn() {
        for (String bias : new String[] {"true", "false"}) {
            ViTConfig c = parse("{\"architecture\": \"vit_tiny_patch16_224\", \"num_classes\": 7, \"model_args\": {\"img_size\": 16,"
                    + " \"patch_size\": 4, \"embed_dim\": 20, \"depth\": 2, \"num_heads\": 2, \"mlp_ratio\": 2.0, \"qkv_bias\": " + bias + "}}");
            long n = 0;
            for (var p : new VisionTransformer(c, new dev.kora4j.tensor.Rng(0)).parameters()) {
                n += p.numel();
            }
            assertEquals(n, c.parameterCount(), "qkv_bias " + bias);
        }
        assertEquals(5_717_416L, parse("{\"architecture\": \"vit_tiny_patch16_224\"}").parameterCount(), "timm's vit_tiny_patch16_224");
    }
}
