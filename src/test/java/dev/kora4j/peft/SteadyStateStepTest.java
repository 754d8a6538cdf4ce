package dev.kora4j.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
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

/**
 * Training steps after the first allocate no new activation or gradient buffers: every array the
 * step needs comes back from the pool (its miss count stops growing) and each parameter's gradient
 * is written into the buffer of the step before. Counted, not timed, so it cannot flake.
 */
class SteadyStateStepTest {
    private static final int BATCH = 64; // activations past the pool's size threshold

    @ParameterizedTest
    @ValueSource(strings = {"", PeftModelTest.LORA, PeftModelTest.KORA})
    void stepsAfterTheFirstReuseEveryBuffer(String json) {
        PeftModel model = json.isEmpty() ? PeftModel.fullFineTuning(TinyModels.vit(DType.F32, Device.CPU))
                : PeftModel.inject(TinyModels.vit(DType.F32, Device.CPU), TinyModels.adapter(json), new Rng(4));
        List<Tensor> params = new ArrayList<>(model.trainable().values());
        AdamW optimizer = new AdamW(params, 1e-3);
        Tensor images = TinyModels.images(BATCH, DType.F32, Device.CPU);
        int[] labels = new int[BATCH];
        for (int i = 0; i < BATCH; i++) {
            labels[i] = i % 5;
        }
        BufferPool pool = new BufferPool();
        long[] misses = new long[4];
        List<Tensor> firstGrads = null;
        for (int step = 0; step < misses.length; step++) {
            optimizer.zeroGrad();
            try (var pooled = pool.step()) {
                CrossEntropy.crossEntropy(model.forward(images), labels).backward();
            }
            optimizer.step();
            misses[step] = pool.misses();
            List<Tensor> grads = params.stream().map(Tensor::grad).toList();
            if (firstGrads == null) {
                firstGrads = grads;
            } else {
                for (int i = 0; i < grads.size(); i++) {
                    assertSame(firstGrads.get(i), grads.get(i), "step " + step + " made a new gradient for parameter " + i);
                }
            }
        }
        assertTrue(misses[0] > 0, "the first step fills the pool");
        for (int step = 1; step < misses.length; step++) {
            assertEquals(misses[0], misses[step], "step " + step + " allocated arrays the pool did not have");
        }
    }
}
