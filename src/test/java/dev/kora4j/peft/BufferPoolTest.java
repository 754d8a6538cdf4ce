package dev.kora4j.peft;

import static dev.kora4j.Asserts.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.ops.CrossEntropy;
import dev.kora4j.optim.AdamW;
import dev.kora4j.tensor.BufferPool;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Training steps inside pooled steps (arrays reused with old contents) give the same bits as without the pool. */
class BufferPoolTest {
    private static List<Tensor> train(String json, boolean pooled) {
        PeftModel m = json == null ? PeftModel.fullFineTuning(TinyModels.vit(DType.F32, Device.CPU))
                : PeftModel.inject(TinyModels.vit(DType.F32, Device.CPU), TinyModels.adapter(json), new Rng(4));
        if (json != null) {
            TinyModels.randomizeAdapters(m, 5);
        }
        AdamW opt = new AdamW(new ArrayList<>(m.trainable().values()), 1e-2);
        BufferPool pool = new BufferPool();
        Tensor images = TinyModels.images(320, DType.F32, Device.CPU); // activations big enough to be pooled
        int[] labels = new int[320];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 5;
        }
        List<Tensor> losses = new ArrayList<>();
        for (int step = 0; step < 4; step++) {
            opt.zeroGrad();
            try (var s = pooled ? pool.step() : null) {
                Tensor loss = CrossEntropy.crossEntropy(m.forward(images), labels);
                loss.backward();
                losses.add(Tensor.scalar(loss.item()));
            }
            opt.step();
        }
        if (pooled) {
            assertTrue(pool.pooledFloats() > 0, "the pool was used");
        }
        losses.addAll(m.trainable().values());
        return losses;
    }

    @ParameterizedTest
    @ValueSource(strings = {"", PeftModelTest.LORA, PeftModelTest.KORA, PeftModelTest.SEED})
    void pooledStepsGiveTheSameBits(String json) {
        String config = json.isEmpty() ? null : json;
        List<Tensor> plain = train(config, false), pooled = train(config, true);
        for (int i = 0; i < plain.size(); i++) {
            assertSameBits("result " + i, plain.get(i), pooled.get(i));
        }
    }
}
