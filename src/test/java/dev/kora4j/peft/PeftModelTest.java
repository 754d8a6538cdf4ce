package dev.kora4j.peft;

import static dev.kora4j.Asserts.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.Tolerance;
import dev.kora4j.autograd.GradCheck;
import dev.kora4j.autograd.GradMode;
import dev.kora4j.io.InputException;
import dev.kora4j.nn.ViTConfigs;
import dev.kora4j.nn.VisionTransformer;
import dev.kora4j.ops.CrossEntropy;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PeftModelTest {
    static final String LORA = "{\"peft_type\": \"LORA\", \"r\": 2, \"lora_alpha\": 4, \"target_modules\": [\"qkv\", \"proj\", \"fc1\", \"fc2\"],"
            + " \"modules_to_save\": [\"head\"]}";
    /** DoRA on the same modules, the patch embedding's Conv2d among them. */
    static final String DORA = "{\"peft_type\": \"LORA\", \"r\": 2, \"lora_alpha\": 4, \"use_dora\": true,"
            + " \"target_modules\": [\"qkv\", \"proj\", \"fc1\", \"fc2\"], \"modules_to_save\": [\"head\"]}";
    static final String KORA = "{\"peft_type\": \"KORA\", \"r\": 2, \"lora_alpha\": 2, \"target_modules\": [\"qkv\"],"
            + " \"composition_dim\": 3, \"lora_targets\": [\"proj\", \"fc1\", \"fc2\"], \"modules_to_save\": [\"head\"]}";
    static final String SEED = "{\"peft_type\": \"KORA_SEED\", \"r\": 2, \"lora_alpha\": 2, \"composition_dim\": 3}";
    static final String SEED_TRAINED = "{\"peft_type\": \"KORA_SEED\", \"r\": 2, \"lora_alpha\": 2, \"composition_dim\": 3,"
            + " \"train_final_projection\": true, \"seed_alpha\": 0.5}";

    private static Tensor logits(PeftModel m, Tensor images) {
        try (var scope = GradMode.noGrad()) {
            return m.forward(images);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {LORA, KORA})
    void freshAdaptersLeaveTheBackboneUnchanged(String json) {
        Tensor images = TinyModels.images(2, DType.F32, Device.CPU);
        Tensor before = logits(PeftModel.fullFineTuning(TinyModels.vit(DType.F32, Device.CPU)), images);
        PeftModel adapted = PeftModel.inject(TinyModels.vit(DType.F32, Device.CPU), TinyModels.adapter(json), new Rng(4));
        assertClose("logits", before, logits(adapted, images), Tolerance.SUMS);
    }

    @Test
    void trainableTensorsCarryPeftNames() {
        PeftModel lora = PeftModel.inject(TinyModels.vit(DType.F32, Device.CPU), TinyModels.adapter(LORA), new Rng(4));
        Map<String, Tensor> t = lora.trainable();
        // PEFT's rule: the suffix "proj" also selects the patch embedding's Conv2d
        assertEquals(2 * 4 * 2 + 2 + 2, t.size());
        assertArrayEquals(new int[] {2, 3, 4, 4}, t.get("base_model.model.patch_embed.proj.lora_A.weight").shape());
        assertArrayEquals(new int[] {12, 2, 1, 1}, t.get("base_model.model.patch_embed.proj.lora_B.weight").shape());
        assertTrue(t.containsKey("base_model.model.blocks.1.attn.qkv.lora_A.weight"));
        // PEFT's shapes: lora_A [r, in], lora_B [out, r], here r = 2 and qkv 12 → 36
        assertArrayEquals(new int[] {36, 2}, t.get("base_model.model.blocks.1.attn.qkv.lora_B.weight").shape());
        assertArrayEquals(new int[] {2, 12}, t.get("base_model.model.blocks.1.attn.qkv.lora_A.weight").shape());
        assertTrue(t.containsKey("base_model.model.head.weight"));
        assertFalse(lora.vit().blocks.get(0).attn.qkv.weight().requiresGrad());

        PeftModel kora = PeftModel.inject(TinyModels.vit(DType.F32, Device.CPU), TinyModels.adapter(KORA), new Rng(4));
        Map<String, Tensor> k = kora.trainable();
        assertTrue(k.containsKey("base_model.model.blocks.0.attn.qkv.kora_v.lora_B.weight"));
        assertTrue(k.containsKey("base_model.model.blocks.0.attn.qkv.kora_compose.fc1.weight"));
        assertTrue(k.containsKey("base_model.model.blocks.0.attn.qkv.kora_gate"));
        assertTrue(k.containsKey("base_model.model.blocks.0.mlp.fc2.lora_A.weight"));
        assertFalse(k.containsKey("base_model.model.blocks.0.attn.qkv.lora_A.weight"));
        assertEquals(2 * (11 + 3 * 2) + 2, k.size());

        PeftModel seed = PeftModel.inject(TinyModels.vit(DType.F32, Device.CPU), TinyModels.adapter(SEED), new Rng(4));
        assertTrue(seed.adapterTensors().containsKey("base_model.model.kora_seed.final_projection.weight"));
        assertFalse(seed.trainable().containsKey("base_model.model.kora_seed.final_projection.weight"));
        assertTrue(seed.trainable().containsKey("base_model.model.kora_seed.adapters.7.proj.weight"));
        assertTrue(seed.trainable().containsKey("base_model.model.kora_seed.psi.6.bias"));
        assertFalse(seed.trainable().containsKey("base_model.model.kora_seed.psi.7.bias"));
        assertTrue(seed.trainable().containsKey("base_model.model.head.bias"));
    }

    /** The seed notebook's logged budget for ViT-B, d_comp 4, 100 classes: 1,590,224 trainable of 88,157,880 (final_projection excluded). */
    @Test
    void seedKoraParameterCountMatchesTheNotebook() {
        var config = ViTConfigs.named("vit_base_patch16_224").withNumClasses(100);
        VisionTransformer vit = new VisionTransformer(config, new Rng(0));
        PeftModel seed = PeftModel.inject(vit, TinyModels.adapter("{\"peft_type\": \"KORA_SEED\", \"r\": 8, \"lora_alpha\": 8, \"composition_dim\": 4}"), new Rng(1));
        long trainable = seed.trainable().values().stream().mapToLong(Tensor::numel).sum();
        // the notebook's total: the frozen backbone with its 1000-class head, plus what trains
        long backbone1000 = vit.parameterCount() - (768 * 100 + 100) + (768 * 1000 + 1000);
        assertEquals(1_590_224, trainable);
        assertEquals(86_567_656, backbone1000);
        assertEquals(88_157_880, backbone1000 + trainable);
    }

    @ParameterizedTest
    @ValueSource(strings = {LORA, KORA, SEED, SEED_TRAINED})
    void wholeModelGradientsMatchFiniteDifferences(String json) {
        PeftModel m = PeftModel.inject(TinyModels.vit(DType.F64, Device.REFERENCE), TinyModels.adapter(json), new Rng(4));
        TinyModels.randomizeAdapters(m, 5);
        m.train(false);
        Tensor images = TinyModels.images(2, DType.F64, Device.REFERENCE);
        Tensor[] trainable = m.trainable().values().toArray(Tensor[]::new);
        GradCheck.check("model", t -> CrossEntropy.crossEntropy(m.forward(images), new int[] {1, 4}), trainable);
    }

    @Test
    void fullFineTuningGradientsMatchFiniteDifferences() {
        PeftModel m = PeftModel.fullFineTuning(TinyModels.vit(DType.F64, Device.REFERENCE));
        Tensor images = TinyModels.images(2, DType.F64, Device.REFERENCE);
        GradCheck.check("full", t -> CrossEntropy.crossEntropy(m.forward(images), new int[] {0, 3}),
                m.trainable().values().toArray(Tensor[]::new));
    }

    @ParameterizedTest
    @ValueSource(strings = {LORA, DORA, KORA, SEED})
    void cpuMatchesReferenceOnTheWholeModel(String json) {
        PeftModel ref = PeftModel.inject(TinyModels.vit(DType.F32, Device.REFERENCE), TinyModels.adapter(json), new Rng(4));
        PeftModel cpu = PeftModel.inject(TinyModels.vit(DType.F32, Device.CPU), TinyModels.adapter(json), new Rng(4));
        TinyModels.randomizeAdapters(ref, 5);
        TinyModels.randomizeAdapters(cpu, 5);
        Tensor lossRef = CrossEntropy.crossEntropy(ref.forward(TinyModels.images(3, DType.F32, Device.REFERENCE)), new int[] {0, 2, 4});
        Tensor lossCpu = CrossEntropy.crossEntropy(cpu.forward(TinyModels.images(3, DType.F32, Device.CPU)), new int[] {0, 2, 4});
        assertClose("loss", lossRef, lossCpu, Tolerance.CHAINS);
        lossRef.backward();
        lossCpu.backward();
        for (var e : ref.trainable().entrySet()) {
            assertClose(e.getKey(), e.getValue().grad(), cpu.trainable().get(e.getKey()).grad(), Tolerance.CHAINS);
        }
    }

    /** With dropout in training DoRA runs as its composition (x for the frozen product, dropped-out x for the update). */
    @Test
    void doraWithDropoutTrainsThroughItsComposition() {
        PeftModel m = PeftModel.inject(TinyModels.vit(DType.F32, Device.CPU),
                TinyModels.adapter(DORA.replace("\"r\": 2", "\"r\": 2, \"lora_dropout\": 0.5")), new Rng(4));
        TinyModels.randomizeAdapters(m, 3);
        Tensor images = TinyModels.images(2, DType.F32, Device.CPU);
        m.train(false);
        Tensor evaluated = logits(m, images);
        m.train(true);
        m.setDropoutRng(new Rng(1));
        Tensor trained = m.forward(images);
        assertTrue(maxAbsDifference(evaluated, trained) > 1e-3, "dropout changes the update in training");
        CrossEntropy.crossEntropy(trained, new int[] {1, 3}).backward();
        Tensor magnitude = m.trainable().get("base_model.model.blocks.0.attn.qkv.lora_magnitude_vector");
        assertTrue(maxAbsDifference(magnitude.grad(), Tensor.zeros(magnitude.shape())) > 0, "the magnitude learns");
        assertArrayEquals(new int[] {1, 12, 1, 1}, m.trainable().get("base_model.model.patch_embed.proj.lora_magnitude_vector").shape());
    }

    private static double maxAbsDifference(Tensor a, Tensor b) {
        double[] x = a.toDoubleArray(), y = b.toDoubleArray();
        double most = 0;
        for (int i = 0; i < x.length; i++) {
            most = Math.max(most, Math.abs(x[i] - y[i]));
        }
        return most;
    }

    @Test
    void loraMergeGivesTheSameOutputs() {
        PeftModel m = PeftModel.inject(TinyModels.vit(DType.F32, Device.CPU), TinyModels.adapter(LORA), new Rng(4));
        TinyModels.randomizeAdapters(m, 6);
        Tensor images = TinyModels.images(2, DType.F32, Device.CPU);
        Tensor adapted = logits(m, images);
        var qkv = m.vit().blocks.get(0).attn.qkv;
        LoraAdapter lora = (LoraAdapter) qkv.adapter();
        Tensor w0 = qkv.weight().contiguous().mul(1.0);
        lora.merge(qkv.weight(), false);
        Tensor merged = lora.b().matmul(lora.a()).mul(2).add(w0);
        assertClose("merged weight", merged, qkv.weight(), Tolerance.SUMS);
        lora.merge(qkv.weight(), true);
        assertClose("unmerged weight", w0, qkv.weight(), Tolerance.SUMS);
        assertClose("logits after merge and unmerge", adapted, logits(m, images), Tolerance.CHAINS);
    }

    @Test
    void loadingAnAdapterChecksNamesAndShapes() {
        PeftModel source = PeftModel.inject(TinyModels.vit(DType.F32, Device.CPU), TinyModels.adapter(KORA), new Rng(4));
        TinyModels.randomizeAdapters(source, 9);
        PeftModel target = PeftModel.inject(TinyModels.vit(DType.F32, Device.CPU), TinyModels.adapter(KORA), new Rng(5));
        target.loadAdapter(source.adapterTensors(), "adapter.safetensors");
        Tensor images = TinyModels.images(2, DType.F32, Device.CPU);
        assertClose("logits", logits(source, images), logits(target, images), Tolerance.SUMS);

        var missing = new java.util.LinkedHashMap<>(source.adapterTensors());
        missing.remove("base_model.model.blocks.1.attn.qkv.kora_gate");
        missing.put("base_model.model.blocks.9.attn.qkv.kora_gate", Tensor.zeros(1));
        var e = assertThrows(InputException.class, () -> target.loadAdapter(missing, "adapter.safetensors"));
        assertTrue(e.getMessage().contains("missing base_model.model.blocks.1.attn.qkv.kora_gate"), e.getMessage());
        assertTrue(e.getMessage().contains("unexpected base_model.model.blocks.9.attn.qkv.kora_gate"), e.getMessage());

        var wrongShape = new java.util.LinkedHashMap<>(source.adapterTensors());
        wrongShape.put("base_model.model.blocks.0.attn.qkv.kora_q.lora_A.weight", Tensor.zeros(3, 12));
        e = assertThrows(InputException.class, () -> target.loadAdapter(wrongShape, "adapter.safetensors"));
        assertTrue(e.getMessage().contains("[3,12]") && e.getMessage().contains("[2,12]"), e.getMessage());
    }

    @Test
    void aSavedHeadOfAnotherSizeReplacesTheBackbones() {
        PeftModel source = PeftModel.inject(TinyModels.vit(DType.F32, Device.CPU), TinyModels.adapter(LORA), new Rng(4));
        var state = new java.util.LinkedHashMap<>(source.adapterTensors());
        state.put("base_model.model.head.weight", Tensor.ones(7, 12));
        state.put("base_model.model.head.bias", Tensor.zeros(7));
        PeftModel target = PeftModel.inject(TinyModels.vit(DType.F32, Device.CPU), TinyModels.adapter(LORA), new Rng(5));
        target.loadAdapter(state, "adapter.safetensors");
        assertEquals(7, logits(target, TinyModels.images(2, DType.F32, Device.CPU)).size(1));
        assertNotNull(target.trainable().get("base_model.model.head.weight"));
        assertEquals(7, target.trainable().get("base_model.model.head.weight").size(0));
    }

    @Test
    void badAdapterConfigsAreRefused() {
        var e = assertThrows(InputException.class, () -> PeftModel.inject(TinyModels.vit(DType.F32, Device.CPU),
                TinyModels.adapter("{\"peft_type\": \"KORA\", \"target_modules\": [\"qkv\"], \"composition_dim\": 2, \"lora_targets\": [\"qkv\"]}"), new Rng(1)));
        assertTrue(e.getMessage().contains("both"), e.getMessage());
        e = assertThrows(InputException.class, () -> PeftModel.inject(TinyModels.vit(DType.F32, Device.CPU),
                TinyModels.adapter("{\"peft_type\": \"KORA\", \"target_modules\": [\"fc1\"], \"composition_dim\": 2}"), new Rng(1)));
        assertTrue(e.getMessage().contains("qkv"), e.getMessage());
        e = assertThrows(InputException.class, () -> PeftModel.inject(TinyModels.vit(DType.F32, Device.CPU),
                TinyModels.adapter("{\"peft_type\": \"LORA\", \"target_modules\": [\"nothing\"]}"), new Rng(1)));
        assertTrue(e.getMessage().contains("match no module"), e.getMessage());
        e = assertThrows(InputException.class, () -> TinyModels.adapter("{\"peft_type\": \"LORA\", \"target_modules\": [\"qkv\"], \"bias\": \"all\"}"));
        assertTrue(e.getMessage().contains("bias"), e.getMessage());
        e = assertThrows(InputException.class, () -> TinyModels.adapter("{\"peft_type\": \"DORA\"}"));
        assertTrue(e.getMessage().contains("peft_type"), e.getMessage());
        e = assertThrows(InputException.class, () -> TinyModels.adapter("{\"peft_type\": \"LORA\", \"target_modules\": [\"qkv\"], \"r\": 0}"));
        assertTrue(e.getMessage().contains("r "), e.getMessage());
        e = assertThrows(InputException.class, () -> TinyModels.adapter("{\"peft_type\": \"KORA\", \"target_modules\": [\"qkv\"]}"));
        assertTrue(e.getMessage().contains("composition_dim"), e.getMessage());
    }

    @Test
    void linearProbeAndFullFineTuningAreConfigsToo() {
        PeftModel probe = PeftModel.of(TinyModels.vit(DType.F32, Device.CPU), TinyModels.adapter("{\"peft_type\": \"LINEAR_PROBE\"}"), new Rng(1));
        assertEquals(java.util.Set.of("head.weight", "head.bias"), probe.trainable().keySet());
        assertTrue(probe.adapterTensors().isEmpty());
        PeftModel full = PeftModel.of(TinyModels.vit(DType.F32, Device.CPU), TinyModels.adapter("{\"peft_type\": \"FULL\"}"), new Rng(1));
        assertEquals(full.vit().namedParameters().keySet(), full.trainable().keySet());
        assertEquals(PeftType.LINEAR_PROBE, TinyModels.adapter(probe.config().toJson()).type());
    }

    @Test
    void adapterConfigRoundTripsThroughJson() {
        AdapterConfig c = TinyModels.adapter(KORA);
        AdapterConfig back = TinyModels.adapter(c.toJson());
        assertEquals(c.type(), back.type());
        assertEquals(c.r(), back.r());
        assertEquals(c.scaling(), back.scaling());
        assertEquals(c.compositionDim(), back.compositionDim());
        assertEquals(c.modulesToSave(), back.modulesToSave());
        assertTrue(back.loraTargets().matches("blocks.3.mlp.fc1"));
        assertFalse(back.loraTargets().matches("blocks.3.attn.qkv"));
    }
}
