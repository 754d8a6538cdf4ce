package dev.kora4j.bench;

import dev.kora4j.backend.cpu.Parallel;
import dev.kora4j.io.JsonFile;
import dev.kora4j.nn.ViTConfig;
import dev.kora4j.nn.ViTConfigs;
import dev.kora4j.nn.VisionTransformer;
import dev.kora4j.ops.CrossEntropy;
import dev.kora4j.optim.AdamW;
import dev.kora4j.peft.AdapterConfig;
import dev.kora4j.peft.PeftModel;
import dev.kora4j.tensor.BufferPool;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** A whole LoRA or KoRA training step (forward, backward, AdamW) of ViT-Tiny on 32×32 images in 4×4 patches, batch 64. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseSerialGC"})
public class StepBenchmark {
    @Param({"LORA", "KORA"})
    public String method;

    @Param({"2"})
    public int threads;

    private PeftModel model;
    private AdamW optimizer;
    private Tensor images;
    private int[] labels;
    private final BufferPool pool = new BufferPool();

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        ViTConfig config = ViTConfigs.parse(JsonFile.parse("bench", "{\"architecture\": \"vit_tiny_patch16_224\", \"num_classes\": 100, "
                + "\"model_args\": {\"img_size\": 32, \"patch_size\": 4}}"));
        String adapter = method.equals("LORA")
                ? "{\"peft_type\": \"LORA\", \"r\": 8, \"lora_alpha\": 8, \"target_modules\": [\"qkv\", \"proj\", \"fc1\", \"fc2\"], \"modules_to_save\": [\"head\"]}"
                : "{\"peft_type\": \"KORA\", \"r\": 8, \"lora_alpha\": 8, \"target_modules\": [\"qkv\"], \"composition_dim\": 4, "
                        + "\"lora_targets\": [\"proj\", \"fc1\", \"fc2\"], \"modules_to_save\": [\"head\"]}";
        model = PeftModel.of(new VisionTransformer(config, new Rng(0)), AdapterConfig.parse(JsonFile.parse("bench", adapter)), new Rng(1));
        optimizer = new AdamW(new ArrayList<>(model.trainable().values()), 1e-4);
        Rng rng = new Rng(2);
        images = Tensor.randn(rng, 64, 3, 32, 32);
        labels = new int[64];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = rng.nextInt(100);
        }
    }

    @Benchmark
    public double trainingStep() {
        optimizer.zeroGrad();
        double loss;
        try (var step = pool.step()) {
            Tensor l = CrossEntropy.crossEntropy(model.forward(images), labels);
            loss = l.item();
            l.backward();
        }
        optimizer.step();
        return loss;
    }
}
