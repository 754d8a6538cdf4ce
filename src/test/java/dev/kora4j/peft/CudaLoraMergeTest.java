package dev.kora4j.peft;

import static dev.kora4j.Asserts.assertClose;

import dev.kora4j.Tolerance;
import dev.kora4j.backend.cuda.CudaSupport;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** LoRA's merge and unmerge on cuda weights, in place on the device, as on the cpu. */
@Tag("gpu")
class CudaLoraMergeTest {
    private static final String LORA = "{\"peft_type\": \"LORA\", \"r\": 4, \"lora_alpha\": 8, \"target_modules\": [\"qkv\"]}";

    @Test
    void mergeAndUnmergeOnCudaAsOnTheCpu() {
        CudaSupport.assumeCuda();
        Tensor[] merged = new Tensor[2], restored = new Tensor[2], original = new Tensor[2];
        Device[] devices = {Device.CPU, Device.CUDA};
        for (int i = 0; i < 2; i++) {
            PeftModel m = PeftModel.inject(TinyModels.vit(DType.F32, devices[i]), TinyModels.adapter(LORA), new Rng(4));
            TinyModels.randomizeAdapters(m, 6);
            var qkv = m.vit().blocks.get(0).attn.qkv;
            LoraAdapter lora = (LoraAdapter) qkv.adapter();
            original[i] = qkv.weight().to(Device.CPU).mul(1.0);
            lora.merge(qkv.weight(), false);
            merged[i] = qkv.weight().to(Device.CPU).mul(1.0);
            lora.merge(qkv.weight(), true);
            restored[i] = qkv.weight().to(Device.CPU).mul(1.0);
        }
        assertClose("merged weight", merged[0], merged[1], Tolerance.SUMS);
        assertClose("unmerged weight", original[1], restored[1], Tolerance.SUMS);
    }
}
